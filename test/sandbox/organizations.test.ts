import {
  AttachPolicyCommand,
  ConstraintViolationException,
  CreateOrganizationalUnitCommand,
  CreatePolicyCommand,
  DetachPolicyCommand,
  DuplicateOrganizationalUnitException,
  DuplicatePolicyAttachmentException,
  DuplicatePolicyException,
  ListOrganizationalUnitsForParentCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  MalformedPolicyDocumentException,
  ParentNotFoundException,
  PolicyTypeNotEnabledException,
  paginateListOrganizationalUnitsForParent,
} from '@aws-sdk/client-organizations';
import { assume, failure, vendAccounts, world } from './support';

const ROOT = 'r-sbx1';
const scp = (size = 0) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'x'.repeat(size), Effect: 'Deny', Action: 'ec2:RunInstances', Resource: '*' }],
  });

describe('Class: Sandbox', () => {
  describe('Organizations: OUs', () => {
    it('creates an OU under the root and lists it', async () => {
      // Prepare
      const w = world();

      // Act
      const { OrganizationalUnit } = await w.organizations.send(
        new CreateOrganizationalUnitCommand({ ParentId: ROOT, Name: 'appvend-shop' }),
      );
      const { OrganizationalUnits } = await w.organizations.send(
        new ListOrganizationalUnitsForParentCommand({ ParentId: ROOT }),
      );

      // Assess
      expect(OrganizationalUnit?.Id).toMatch(/^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/);
      expect(OrganizationalUnits).toEqual([OrganizationalUnit]);
    });

    it('refuses a second OU of the same name under the same parent', async () => {
      // Prepare
      const w = world();
      await w.organizations.send(
        new CreateOrganizationalUnitCommand({ ParentId: ROOT, Name: 'appvend-shop' }),
      );

      // Act
      const error = await failure(
        w.organizations.send(new CreateOrganizationalUnitCommand({ ParentId: ROOT, Name: 'appvend-shop' })),
      );

      // Assess
      expect(error).toBeInstanceOf(DuplicateOrganizationalUnitException);
      expect(error.name).toBe('DuplicateOrganizationalUnitException');
      expect(error.$fault).toBe('client');
    });

    it('nests OUs five levels deep under the root and refuses a sixth with OU_DEPTH_LIMIT_EXCEEDED', async () => {
      // Prepare: five levels
      const w = world();
      let parent = ROOT;
      for (let level = 1; level <= 5; level += 1) {
        const { OrganizationalUnit } = await w.organizations.send(
          new CreateOrganizationalUnitCommand({ ParentId: parent, Name: `level-${level}` }),
        );
        parent = OrganizationalUnit!.Id!;
      }

      // Act
      const error = await failure(
        w.organizations.send(new CreateOrganizationalUnitCommand({ ParentId: parent, Name: 'level-6' })),
      );

      // Assess
      expect(error).toBeInstanceOf(ConstraintViolationException);
      expect(error.Reason).toBe('OU_DEPTH_LIMIT_EXCEEDED');
    });

    it('holds 2,000 OUs and refuses the next with OU_NUMBER_LIMIT_EXCEEDED, creating nothing', async () => {
      // Prepare: an organization one OU short of the quota (seeded: 1,999 calls would only be slower)
      const seed = world().sandbox.toJSON();
      for (let n = 1; n < 2000; n += 1) {
        // ids outside the sandbox's own sequence, so that a new OU cannot take a seeded one's place
        const id = `ou-sbx1-zz${String(n).padStart(6, '0')}`;
        seed.ous[id] = { id, name: `seeded-${n}`, parentId: ROOT };
      }
      const w = world({ state: seed });
      await w.organizations.send(
        new CreateOrganizationalUnitCommand({ ParentId: ROOT, Name: 'two-thousandth' }),
      );

      // Act
      const error = await failure(
        w.organizations.send(new CreateOrganizationalUnitCommand({ ParentId: ROOT, Name: 'one-too-many' })),
      );

      // Assess
      expect(error).toBeInstanceOf(ConstraintViolationException);
      expect(error.Reason).toBe('OU_NUMBER_LIMIT_EXCEEDED');
      expect(w.sandbox.ous()).toHaveLength(2000);
      expect(w.sandbox.ous().some((ou) => ou.name === 'one-too-many')).toBe(false);
    });

    it('answers ParentNotFoundException for a well-formed parent that does not exist', async () => {
      // Prepare
      const w = world();

      // Act
      const error = await failure(
        w.organizations.send(
          new CreateOrganizationalUnitCommand({ ParentId: 'ou-sbx1-99999999', Name: 'x' }),
        ),
      );

      // Assess
      expect(error).toBeInstanceOf(ParentNotFoundException);
    });

    it('pages OUs twenty at a time', async () => {
      // Prepare
      const w = world();
      for (let i = 0; i < 25; i += 1) {
        await w.organizations.send(new CreateOrganizationalUnitCommand({ ParentId: ROOT, Name: `ou-${i}` }));
      }

      // Act
      const first = await w.organizations.send(
        new ListOrganizationalUnitsForParentCommand({ ParentId: ROOT }),
      );
      const all: string[] = [];
      for await (const page of paginateListOrganizationalUnitsForParent(
        { client: w.organizations },
        { ParentId: ROOT },
      )) {
        all.push(...(page.OrganizationalUnits ?? []).map((ou) => ou.Name ?? ''));
      }

      // Assess
      expect(first.OrganizationalUnits).toHaveLength(20);
      expect(first.NextToken).toBeDefined();
      expect(all).toHaveLength(25);
    });

    it('attaches FullAWSAccess to every new OU, as AWS does', async () => {
      // Prepare
      const w = world();
      const { OrganizationalUnit } = await w.organizations.send(
        new CreateOrganizationalUnitCommand({ ParentId: ROOT, Name: 'x' }),
      );

      // Act
      const { Policies } = await w.organizations.send(
        new ListPoliciesForTargetCommand({
          TargetId: OrganizationalUnit?.Id,
          Filter: 'SERVICE_CONTROL_POLICY',
        }),
      );

      // Assess
      expect(Policies?.map((p) => p.Id)).toEqual(['p-FullAWSAccess']);
    });

    it('denies Organizations to a member account', async () => {
      // Prepare
      const w = world();
      const [member] = await vendAccounts(w, 1);
      const clients = w.clientsFor(await assume(w, member!));

      // Act
      const error = await failure(clients.organizations.send(new ListRootsCommand({})));

      // Assess
      expect(error.name).toBe('AccessDeniedException');
    });
  });

  describe('Organizations: SCPs', () => {
    it('refuses a policy over the size quota with ConstraintViolationException POLICY_CONTENT_LIMIT_EXCEEDED', async () => {
      // Prepare
      const w = world();
      const content = scp(5200);

      // Act
      const error = await failure(
        w.organizations.send(
          new CreatePolicyCommand({
            Name: 'big',
            Description: '',
            Type: 'SERVICE_CONTROL_POLICY',
            Content: content,
          }),
        ),
      );

      // Assess
      expect(error).toBeInstanceOf(ConstraintViolationException);
      expect(error.Reason).toBe('POLICY_CONTENT_LIMIT_EXCEEDED');
    });

    it('holds 10,000 SCPs and refuses the next with POLICY_NUMBER_LIMIT_EXCEEDED, creating nothing', async () => {
      // Prepare: 9,999 policies (FullAWSAccess and 9,998 seeded), one short of the quota
      const seed = world().sandbox.toJSON();
      for (let n = 1; n < 9999; n += 1) {
        const id = `p-zz${n.toString(36).padStart(6, '0')}`; // outside the sandbox's own sequence
        seed.policies[id] = {
          id,
          name: `seeded-${n}`,
          description: '',
          type: 'SERVICE_CONTROL_POLICY',
          content: scp(),
          awsManaged: false,
        };
      }
      const w = world({ state: seed });
      const create = (name: string) =>
        w.organizations.send(
          new CreatePolicyCommand({
            Name: name,
            Description: '',
            Type: 'SERVICE_CONTROL_POLICY',
            Content: scp(),
          }),
        );
      await create('ten-thousandth');

      // Act
      const error = await failure(create('one-too-many'));

      // Assess
      expect(error).toBeInstanceOf(ConstraintViolationException);
      expect(error.Reason).toBe('POLICY_NUMBER_LIMIT_EXCEEDED');
      expect(Object.keys(w.sandbox.toJSON().policies)).toHaveLength(10_000);
    });

    it('accepts the same policy when the size quota is raised', async () => {
      // Prepare
      const w = world({ policySizeQuota: 10_000 });

      // Act
      const { Policy } = await w.organizations.send(
        new CreatePolicyCommand({
          Name: 'big',
          Description: '',
          Type: 'SERVICE_CONTROL_POLICY',
          Content: scp(5200),
        }),
      );

      // Assess
      expect(Policy?.PolicySummary?.Id).toMatch(/^p-[0-9a-z]{8}$/);
    });

    it('refuses a document that is not an SCP with MalformedPolicyDocumentException', async () => {
      // Prepare
      const w = world();

      // Act
      const error = await failure(
        w.organizations.send(
          new CreatePolicyCommand({
            Name: 'bad',
            Description: '',
            Type: 'SERVICE_CONTROL_POLICY',
            Content: '{"Statement":',
          }),
        ),
      );

      // Assess
      expect(error).toBeInstanceOf(MalformedPolicyDocumentException);
    });

    it('refuses a policy of a type not enabled in the root (only SCPs are) with PolicyTypeNotEnabledException', async () => {
      // Prepare
      const w = world();

      // Act
      const error = await failure(
        w.organizations.send(
          new CreatePolicyCommand({ Name: 'tags', Description: '', Type: 'TAG_POLICY', Content: '{}' }),
        ),
      );

      // Assess
      expect(error).toBeInstanceOf(PolicyTypeNotEnabledException);
      expect(error.message).toBe("The specified policy type isn't currently enabled in this root.");
    });

    it('refuses a second policy of the same name', async () => {
      // Prepare
      const w = world();
      const input = {
        Name: 'guardrails',
        Description: '',
        Type: 'SERVICE_CONTROL_POLICY' as const,
        Content: scp(),
      };
      await w.organizations.send(new CreatePolicyCommand(input));

      // Act
      const error = await failure(w.organizations.send(new CreatePolicyCommand(input)));

      // Assess
      expect(error).toBeInstanceOf(DuplicatePolicyException);
    });

    it('refuses a sixth SCP on a target with MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED', async () => {
      // Prepare
      const w = world();
      const { OrganizationalUnit } = await w.organizations.send(
        new CreateOrganizationalUnitCommand({ ParentId: ROOT, Name: 'x' }),
      );
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        const { Policy } = await w.organizations.send(
          new CreatePolicyCommand({
            Name: `p${i}`,
            Description: '',
            Type: 'SERVICE_CONTROL_POLICY',
            Content: scp(),
          }),
        );
        ids.push(Policy!.PolicySummary!.Id!);
      }
      for (const id of ids.slice(0, 4)) {
        await w.organizations.send(
          new AttachPolicyCommand({ PolicyId: id, TargetId: OrganizationalUnit?.Id }),
        );
      }

      // Act
      const error = await failure(
        w.organizations.send(new AttachPolicyCommand({ PolicyId: ids[4], TargetId: OrganizationalUnit?.Id })),
      );

      // Assess
      expect(error).toBeInstanceOf(ConstraintViolationException);
      expect(error.Reason).toBe('MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED');
    });

    it('refuses to attach a policy twice', async () => {
      // Prepare
      const w = world();
      const { Policy } = await w.organizations.send(
        new CreatePolicyCommand({
          Name: 'p',
          Description: '',
          Type: 'SERVICE_CONTROL_POLICY',
          Content: scp(),
        }),
      );
      await w.organizations.send(
        new AttachPolicyCommand({ PolicyId: Policy?.PolicySummary?.Id, TargetId: ROOT }),
      );

      // Act
      const error = await failure(
        w.organizations.send(
          new AttachPolicyCommand({ PolicyId: Policy?.PolicySummary?.Id, TargetId: ROOT }),
        ),
      );

      // Assess
      expect(error).toBeInstanceOf(DuplicatePolicyAttachmentException);
    });

    it('refuses to detach the last SCP of a target', async () => {
      // Prepare
      const w = world();
      const { OrganizationalUnit } = await w.organizations.send(
        new CreateOrganizationalUnitCommand({ ParentId: ROOT, Name: 'x' }),
      );

      // Act
      const error = await failure(
        w.organizations.send(
          new DetachPolicyCommand({ PolicyId: 'p-FullAWSAccess', TargetId: OrganizationalUnit?.Id }),
        ),
      );

      // Assess
      expect(error.Reason).toBe('MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED');
    });
  });
});
