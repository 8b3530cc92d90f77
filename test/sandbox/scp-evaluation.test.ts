import {
  DescribeConfigurationRecorderStatusCommand,
  PutConfigurationRecorderCommand,
  PutDeliveryChannelCommand,
  StartConfigurationRecorderCommand,
} from '@aws-sdk/client-config-service';
import {
  AttachPolicyCommand,
  CreateAccountCommand,
  CreatePolicyCommand,
  ListRootsCommand,
} from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { renderQuarantinePolicy } from '../../shared/domain/quarantine';
import { MINUTE, assume, failure, world, type Clients, type World } from './support';

const EXEMPT = 'OrganizationAccountAccessRole';
const SERVICE_LINKED =
  'arn:aws:iam::ACCOUNT:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig';

/** A member account whose access role is `Admin` (not exempt), and one of `EXEMPT`. */
async function accounts(w: World): Promise<{ admin: string; exempt: string }> {
  await w.organizations.send(
    new CreateAccountCommand({ Email: 'admin@example.com', AccountName: 'admin', RoleName: 'Admin' }),
  );
  await w.organizations.send(
    new CreateAccountCommand({ Email: 'exempt@example.com', AccountName: 'exempt' }),
  );
  // CreateAccount (3 minutes), then the access role's propagation (1 minute)
  w.clock.advance(4 * MINUTE);
  const id = (email: string) => w.sandbox.accounts().find((a) => a.email === email)!.id;
  return { admin: id('admin@example.com'), exempt: id('exempt@example.com') };
}

/** The quarantine SCP (exempting `EXEMPT` and the baseline roles), attached to `targetId`. */
async function quarantine(w: World, targetId: string): Promise<void> {
  const { Policy } = await w.organizations.send(
    new CreatePolicyCommand({
      Name: 'appvend-quarantine',
      Description: 'quarantine',
      Type: 'SERVICE_CONTROL_POLICY',
      Content: renderQuarantinePolicy([EXEMPT]),
    }),
  );
  await w.organizations.send(
    new AttachPolicyCommand({ PolicyId: Policy!.PolicySummary!.Id!, TargetId: targetId }),
  );
}

/** A running recorder recording as `roleARN`, then its status. */
async function recorderStatus(clients: Clients, roleARN: string) {
  await clients.config.send(
    new PutConfigurationRecorderCommand({ ConfigurationRecorder: { name: 'default', roleARN } }),
  );
  await clients.config.send(
    new PutDeliveryChannelCommand({ DeliveryChannel: { name: 'default', s3BucketName: 'config-bucket' } }),
  );
  await clients.config.send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: 'default' }));
  const { ConfigurationRecordersStatus } = await clients.config.send(
    new DescribeConfigurationRecorderStatusCommand({}),
  );
  return ConfigurationRecordersStatus![0]!;
}

describe('Class: Sandbox', () => {
  describe('SCPs: the quarantine', () => {
    it("refuses a non-exempt role's calls in a quarantined account with an explicit deny in an SCP", async () => {
      // Prepare
      const w = world();
      const { admin } = await accounts(w);
      const clients = w.clientsFor(await assume(w, admin, 'Admin'));
      await quarantine(w, admin);

      // Act
      const error = await failure(clients.sts.send(new GetCallerIdentityCommand({})));
      const config = await failure(clients.config.send(new DescribeConfigurationRecorderStatusCommand({})));

      // Assess
      expect(error.name).toBe('AccessDenied');
      expect(error.message).toMatch(
        new RegExp(
          `^User: arn:aws:sts::${admin}:assumed-role/Admin/test is not authorized to perform: sts:GetCallerIdentity with an explicit deny in a service control policy: arn:aws:organizations::111111111111:policy/o-[a-z0-9]+/service_control_policy/p-`,
        ),
      );
      expect(config.name).toBe('AccessDeniedException');
    });

    it('lets an exempt role through (aws:PrincipalArn), and denies only where the SCP is in effect', async () => {
      // Prepare
      const w = world();
      const { admin, exempt } = await accounts(w);
      const adminClients = w.clientsFor(await assume(w, admin, 'Admin'));
      const exemptClients = w.clientsFor(await assume(w, exempt));

      // Act
      const before = await adminClients.sts.send(new GetCallerIdentityCommand({}));
      await quarantine(w, exempt);
      const exemptIdentity = await exemptClients.sts.send(new GetCallerIdentityCommand({}));
      const adminIdentity = await adminClients.sts.send(new GetCallerIdentityCommand({}));

      // Assess
      expect(before.Account).toBe(admin);
      expect(exemptIdentity.Account).toBe(exempt);
      // Attached to the other account only
      expect(adminIdentity.Account).toBe(admin);
    });

    it('applies an SCP attached to the root to the member accounts below it', async () => {
      // Prepare
      const w = world();
      const { admin } = await accounts(w);
      const clients = w.clientsFor(await assume(w, admin, 'Admin'));
      const { Roots } = await w.organizations.send(new ListRootsCommand({}));
      await quarantine(w, Roots![0]!.Id!);

      // Act
      const error = await failure(clients.sts.send(new GetCallerIdentityCommand({})));

      // Assess
      expect(error.name).toBe('AccessDenied');
    });

    it("fails the recording of a quarantined account's recorder whose role is not exempt", async () => {
      // Prepare
      const w = world();
      const { exempt } = await accounts(w);
      const clients = w.clientsFor(await assume(w, exempt));
      await quarantine(w, exempt);

      // Act
      const status = await recorderStatus(clients, `arn:aws:iam::${exempt}:role/config-recorder`);

      // Assess
      expect(status).toMatchObject({ recording: true, lastStatus: 'Failure', lastErrorCode: 'AccessDenied' });
    });

    it("records with a baseline role the quarantine exempts, and with Config's service-linked role", async () => {
      // Prepare
      const w = world();
      const { exempt } = await accounts(w);
      const clients = w.clientsFor(await assume(w, exempt));
      await quarantine(w, exempt);

      // Act
      const baseline = await recorderStatus(
        clients,
        `arn:aws:iam::${exempt}:role/appvend-orders-config-recorder`,
      );
      const serviceLinked = await recorderStatus(clients, SERVICE_LINKED.replace('ACCOUNT', exempt));

      // Assess
      expect(baseline).toMatchObject({ lastStatus: 'Success' });
      expect(baseline.lastErrorCode).toBeUndefined();
      expect(serviceLinked).toMatchObject({ lastStatus: 'Success' });
    });

    it('never denies the management account, even under an SCP attached to the root', async () => {
      // Prepare
      const w = world();
      const { Roots } = await w.organizations.send(new ListRootsCommand({}));
      await quarantine(w, Roots![0]!.Id!);

      // Act
      const status = await recorderStatus(w, 'arn:aws:iam::111111111111:role/config-recorder');

      // Assess
      expect(status).toMatchObject({ lastStatus: 'Success' });
    });
  });
});
