import { validateRequest } from '../../shared/request/validate';
import { parseRequest } from '../../shared/request/validate';

const minimal = {
  name: 'orders',
  owner: 'team@example.com',
  accountEmail: 'aws+{name}-{stage}@example.com',
  source: {
    connectionArn:
      'arn:aws:codeconnections:us-east-1:111111111111:connection/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
    repository: 'acme/orders',
  },
};
const contact = { name: 'Sec Team', title: 'Security', email: 'sec@example.com', phone: '+1 555 0100' };

function problemsOf(input: unknown): { field: string; message: string }[] {
  const result = validateRequest(input);
  if (result.valid) throw new Error('expected the request to be invalid');
  return result.problems;
}

describe('Rule: access, approvers and contacts', () => {
  it('accepts grants to tooling and the request’s stages, approvers and every contact type', () => {
    // Act
    const result = validateRequest({
      ...minimal,
      access: [
        { group: 'orders-developers', permissionSet: 'AppvendDeveloper', stages: ['tooling', 'test'] },
        { group: 'orders-oncall', permissionSet: 'ReadOnlyAccess', stages: ['prod'] },
      ],
      approvers: { group: 'orders-approvers', permissionSet: 'AppvendApprover' },
      contacts: { security: contact, operations: contact, billing: contact },
    });

    // Assess
    expect(result.valid).toBe(true);
  });

  it('keeps the digest of a request without access or contacts (no default is added)', () => {
    // Act
    const request = parseRequest(minimal);

    // Assess
    expect(request).not.toHaveProperty('access');
    expect(request).not.toHaveProperty('contacts');
  });

  it('refuses a stage the request does not have', () => {
    // Act
    const problems = problemsOf({
      ...minimal,
      access: [{ group: 'g', permissionSet: 'P', stages: ['test', 'staging'] }],
    });

    // Assess
    expect(problems).toEqual([
      {
        field: 'access.0.stages.1',
        message: 'names stage "staging", which is not one of: tooling, test, prod',
      },
    ]);
  });

  it('refuses the same grant twice, across entries and against the approvers’ grant in tooling', () => {
    // Act
    const problems = problemsOf({
      ...minimal,
      approvers: { group: 'rel', permissionSet: 'Approver' },
      access: [
        { group: 'dev', permissionSet: 'Dev', stages: ['test'] },
        { group: 'dev', permissionSet: 'Dev', stages: ['prod', 'test'] },
        { group: 'rel', permissionSet: 'Approver', stages: ['tooling'] },
      ],
    });

    // Assess
    expect(problems).toEqual([
      { field: 'access.1', message: 'grants "Dev" to "dev" in "test" again (already granted by access.0)' },
      {
        field: 'access.2',
        message: 'grants "Approver" to "rel" in "tooling" again (already granted by approvers)',
      },
    ]);
  });

  it('refuses a grant without stages, a repeated stage and a bad permission set name', () => {
    // Act
    const problems = problemsOf({
      ...minimal,
      access: [
        { group: 'g', permissionSet: 'P', stages: [] },
        { group: 'g', permissionSet: 'Q', stages: ['test', 'test'] },
        { group: 'g', permissionSet: 'has space', stages: ['test'] },
        { permissionSet: 'R', stages: ['test'] },
      ],
    });

    // Assess
    expect(problems).toEqual([
      { field: 'access.0.stages', message: 'must list at least 1 stage' },
      { field: 'access.1.stages', message: 'stage names must be unique' },
      {
        field: 'access.2.permissionSet',
        message: 'must be an Identity Center permission set name (1-32 letters, digits and _+=,.@-)',
      },
      { field: 'access.3.group', message: 'is required' },
    ]);
  });

  it('refuses a contact without an email, an unknown contact type and a phone AWS would refuse', () => {
    // Act
    const { email: _email, ...withoutEmail } = contact;
    const problems = problemsOf({
      ...minimal,
      contacts: { security: withoutEmail, billing: { ...contact, phone: 'call me' }, legal: contact },
    });

    // Assess
    expect(problems).toEqual(
      expect.arrayContaining([
        { field: 'contacts.security.email', message: 'is required' },
        { field: 'contacts.billing.phone', message: 'may contain only digits, spaces and ( ) + -' },
        { field: 'contacts.legal', message: 'unknown field' },
      ]),
    );
    expect(problems).toHaveLength(3);
  });
});
