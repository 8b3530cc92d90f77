import { CreateGroupCommand, IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { CreatePermissionSetCommand, ListInstancesCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runVend } from '../../cli/vend';
import { VirtualClock } from '../../shared/clock/clock';
import { botocoreCalls } from '../support/botocore';
import { MOTO_CREDENTIALS, MOTO_REGION, describeWithMoto, startMoto, type MotoServer } from '../support/moto';
import { openMotoWorld } from '../support/moto-world';
import { workflowDefinition } from '../support/workflow';

const accessSample = JSON.parse(
  readFileSync(join(__dirname, '../../events/application-request-access.json'), 'utf8'),
) as {
  access: { group: string; permissionSet: string; stages: string[] }[];
  approvers: { group: string; permissionSet: string };
  contacts: Record<string, { name: string; title: string; email: string; phone: string }>;
};

/**
 * moto 5.2 implements sso-admin (instances, permission sets, account assignments, which it
 * completes at once: SUCCEEDED in the creation's own answer), identitystore (groups, GetGroupId)
 * and account alternate contacts (with AccountId). It checks neither that the group or the target
 * account exists nor trusted access: the sandbox models those refusals.
 */
describeWithMoto(
  'Workflow: access and alternate contacts against moto server, read back with botocore',
  () => {
    let moto: MotoServer;
    let endpoint: string;

    beforeAll(async () => {
      moto = await startMoto();
      endpoint = moto.endpoint;
      await moto.reset();
      await openMotoWorld(endpoint);
      // What an administrator made before using appvend: the groups and permission sets.
      const config = { region: MOTO_REGION, endpoint, credentials: MOTO_CREDENTIALS };
      const sso = new SSOAdminClient(config);
      const store = new IdentitystoreClient(config);
      const { Instances } = await sso.send(new ListInstancesCommand({}));
      const instance = Instances![0]!;
      const grants = [...accessSample.access, accessSample.approvers];
      for (const group of new Set(grants.map((g) => g.group))) {
        await store.send(
          new CreateGroupCommand({ IdentityStoreId: instance.IdentityStoreId, DisplayName: group }),
        );
      }
      for (const name of new Set(grants.map((g) => g.permissionSet))) {
        await sso.send(new CreatePermissionSetCommand({ InstanceArn: instance.InstanceArn, Name: name }));
      }
    }, 60_000);

    afterAll(async () => {
      await moto?.stop();
    });

    it('vends the access sample and botocore finds every assignment and contact in the accounts', async () => {
      // Act
      const { summary } = await runVend({
        input: { request: accessSample },
        definition: workflowDefinition(),
        clock: new VirtualClock(Date.now()),
      });

      // Assess: read back with AWS's SDK for Python, a few calls to a process.
      expect(summary.error).toBeUndefined();
      expect(summary.status).toBe('SUCCEEDED');
      const [instances] = botocoreCalls(endpoint, [{ service: 'sso-admin', method: 'list_instances' }]);
      const instance = (instances!.Instances as { InstanceArn: string; IdentityStoreId: string }[])[0]!;
      const groups = [...new Set([accessSample.approvers, ...accessSample.access].map((g) => g.group))];
      const [sets, ...groupAnswers] = botocoreCalls(endpoint, [
        {
          service: 'sso-admin',
          method: 'list_permission_sets',
          params: { InstanceArn: instance.InstanceArn },
        },
        ...groups.map((name) => ({
          service: 'identitystore',
          method: 'get_group_id',
          params: {
            IdentityStoreId: instance.IdentityStoreId,
            AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: name } },
          },
        })),
      ]);
      const groupId = new Map(groups.map((name, i) => [name, groupAnswers[i]!.GroupId as string]));
      const setArns = sets!.PermissionSets as string[];
      const described = botocoreCalls(
        endpoint,
        setArns.map((arn) => ({
          service: 'sso-admin',
          method: 'describe_permission_set',
          params: { InstanceArn: instance.InstanceArn, PermissionSetArn: arn },
        })),
      );
      const permissionSets = Object.fromEntries(
        described.map((answer, i) => [(answer.PermissionSet as { Name: string }).Name, setArns[i]!]),
      );
      const wanted = [
        { ...accessSample.approvers, stage: 'tooling' },
        ...accessSample.access.flatMap((g) => g.stages.map((stage) => ({ ...g, stage }))),
      ];
      const contacts = Object.values(summary.accounts).flatMap(({ id }) =>
        Object.entries(accessSample.contacts).map(([type, contact]) => ({
          id,
          type: type.toUpperCase(),
          contact,
        })),
      );
      const answers = botocoreCalls(endpoint, [
        ...wanted.map((grant) => ({
          service: 'sso-admin',
          method: 'list_account_assignments',
          params: {
            InstanceArn: instance.InstanceArn,
            AccountId: summary.accounts[grant.stage]!.id,
            PermissionSetArn: permissionSets[grant.permissionSet]!,
          },
        })),
        ...contacts.map(({ id, type }) => ({
          service: 'account',
          method: 'get_alternate_contact',
          params: { AccountId: id, AlternateContactType: type },
        })),
      ]);
      wanted.forEach((grant, i) => {
        expect(answers[i]!.AccountAssignments).toContainEqual(
          expect.objectContaining({ PrincipalType: 'GROUP', PrincipalId: groupId.get(grant.group) }),
        );
      });
      contacts.forEach(({ type, contact }, i) => {
        expect(answers[wanted.length + i]!.AlternateContact).toEqual({
          AlternateContactType: type,
          Name: contact.name,
          Title: contact.title,
          EmailAddress: contact.email,
          PhoneNumber: contact.phone,
        });
      });
      expect(summary.access?.grants).toHaveLength(wanted.length);
    }, 300_000);
  },
);
