import { CreateGroupCommand, IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { CreatePermissionSetCommand, ListInstancesCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runVend } from '../../cli/vend';
import { VirtualClock } from '../../shared/clock/clock';
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
  'Workflow: access and alternate contacts against moto server, read back with the AWS CLI',
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

    /** The AWS CLI against moto, with the management account's credentials. */
    const aws = (...args: string[]): Record<string, unknown> =>
      JSON.parse(
        execFileSync(
          'aws',
          ['--endpoint-url', endpoint, '--region', MOTO_REGION, '--output', 'json', ...args],
          {
            env: {
              ...process.env,
              AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
              AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
            },
            encoding: 'utf8',
          },
        ),
      ) as Record<string, unknown>;

    it('vends the access sample and the CLI finds every assignment and contact in the accounts', async () => {
      // Act
      const { summary } = await runVend({
        input: { request: accessSample },
        definition: workflowDefinition(),
        clock: new VirtualClock(Date.now()),
      });

      // Assess
      expect(summary.error).toBeUndefined();
      expect(summary.status).toBe('SUCCEEDED');
      const instance = (
        aws('sso-admin', 'list-instances').Instances as { InstanceArn: string; IdentityStoreId: string }[]
      )[0]!;
      const permissionSets = Object.fromEntries(
        (
          aws('sso-admin', 'list-permission-sets', '--instance-arn', instance.InstanceArn)
            .PermissionSets as string[]
        ).map((arn) => [
          (
            aws(
              'sso-admin',
              'describe-permission-set',
              '--instance-arn',
              instance.InstanceArn,
              '--permission-set-arn',
              arn,
            ).PermissionSet as { Name: string }
          ).Name,
          arn,
        ]),
      );
      const groupIds = new Map<string, string>();
      const lookUpGroupId = (name: string) =>
        aws(
          'identitystore',
          'get-group-id',
          '--identity-store-id',
          instance.IdentityStoreId,
          '--alternate-identifier',
          JSON.stringify({ UniqueAttribute: { AttributePath: 'displayName', AttributeValue: name } }),
        ).GroupId as string;
      // Several grants name one group: the CLI is asked once per group (each run starts a Python).
      const groupId = (name: string) => {
        if (!groupIds.has(name)) groupIds.set(name, lookUpGroupId(name));
        return groupIds.get(name)!;
      };
      const wanted = [
        { ...accessSample.approvers, stage: 'tooling' },
        ...accessSample.access.flatMap((g) => g.stages.map((stage) => ({ ...g, stage }))),
      ];
      for (const grant of wanted) {
        const accountId = summary.accounts[grant.stage]!.id;
        const { AccountAssignments } = aws(
          'sso-admin',
          'list-account-assignments',
          '--instance-arn',
          instance.InstanceArn,
          '--account-id',
          accountId,
          '--permission-set-arn',
          permissionSets[grant.permissionSet]!,
        ) as { AccountAssignments: { PrincipalType: string; PrincipalId: string }[] };
        expect(AccountAssignments).toContainEqual(
          expect.objectContaining({ PrincipalType: 'GROUP', PrincipalId: groupId(grant.group) }),
        );
      }
      for (const { id } of Object.values(summary.accounts)) {
        for (const [type, contact] of Object.entries(accessSample.contacts)) {
          const { AlternateContact } = aws(
            'account',
            'get-alternate-contact',
            '--account-id',
            id,
            '--alternate-contact-type',
            type.toUpperCase(),
          );
          expect(AlternateContact).toEqual({
            AlternateContactType: type.toUpperCase(),
            Name: contact.name,
            Title: contact.title,
            EmailAddress: contact.email,
            PhoneNumber: contact.phone,
          });
        }
      }
      expect(summary.access?.grants).toHaveLength(wanted.length);
    }, 300_000);
  },
);
