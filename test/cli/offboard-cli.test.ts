import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateOrganizationalUnitCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { VirtualClock } from '../../shared/clock/clock';
import { Sandbox, type SandboxStateJson } from '../../shared/sandbox';
import { runAppvend } from '../support/cli';

const appvend = runAppvend;

/** Adds an OU to a saved sandbox, as an administrator would create the suspended OU. */
async function addSuspendedOu(stateFile: string): Promise<string> {
  const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as {
    version: 1;
    clock: number;
    sandbox: SandboxStateJson;
  };
  const clock = new VirtualClock(saved.clock);
  const sandbox = new Sandbox({ clock, state: saved.sandbox });
  const client = new OrganizationsClient(sandbox.clientConfig());
  client.middlewareStack.use(sandbox.plugin());
  const { Roots } = await client.send(new ListRootsCommand({}));
  const { OrganizationalUnit } = await client.send(
    new CreateOrganizationalUnitCommand({ ParentId: Roots![0]!.Id!, Name: 'Suspended' }),
  );
  writeFileSync(stateFile, JSON.stringify({ ...saved, sandbox: sandbox.toJSON() }));
  return OrganizationalUnit!.Id!;
}

describe('CLI: appvend offboard', () => {
  const dir = mkdtempSync(join(tmpdir(), 'appvend-offboard-'));
  const state = join(dir, 'sandbox.json');
  const ledger = join(dir, 'sandbox.ledger.json');
  let suspendedOu: string;

  beforeAll(async () => {
    expect(appvend(['vend', 'events/application-request.json', '--state', state, '--json']).code).toBe(0);
    suspendedOu = await addSuspendedOu(state);
  });

  it('refuses without --confirm, as a usage error', () => {
    // Act
    const { code, stderr } = appvend(['offboard', 'orders', '--state', state]);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain('missing --confirm orders');
  });

  it('refuses a --confirm that is not the name, changing nothing anywhere', () => {
    // Prepare
    const before = [readFileSync(state, 'utf8'), readFileSync(ledger, 'utf8')];

    // Act
    const { code, stderr } = appvend(['offboard', 'orders', '--confirm', 'order', '--state', state], {
      APPVEND_SUSPENDED_OU_ID: suspendedOu,
    });

    // Assess
    expect(code).toBe(1);
    expect(stderr).toContain('refused: --confirm "order" does not match the application\'s name "orders"');
    expect([readFileSync(state, 'utf8'), readFileSync(ledger, 'utf8')]).toEqual(before);
  });

  it('refuses when the suspended OU is not configured, and says which variable to set', () => {
    // Act
    const { code, stdout } = appvend(['offboard', 'orders', '--confirm', 'orders', '--state', state]);

    // Assess
    expect(code).toBe(1);
    expect(stdout).toContain('failed at PrepareOffboarding: APPVEND_SUSPENDED_OU_ID is not set');
  });

  it('offboards with progress, then finds nothing to do; status shows OFFBOARDED', () => {
    // Act
    const first = appvend(['offboard', 'orders', '--confirm', 'orders', '--state', state], {
      APPVEND_SUSPENDED_OU_ID: suspendedOu,
    });
    const second = appvend(['offboard', 'orders', '--confirm', 'orders', '--state', state], {
      APPVEND_SUSPENDED_OU_ID: suspendedOu,
    });
    const status = appvend(['status', 'orders', '--json', '--state', state]);

    // Assess
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('▶ RemoveStackSets');
    expect(first.stderr).toContain('✔ RemoveOrganizationalUnit');
    expect(first.stdout).toContain('orders: OFFBOARDED');
    expect(first.stdout).toContain('stack set appvend-orders-pipeline: deleted');
    expect(first.stdout).toContain(`in the suspended OU ${suspendedOu}`);
    expect(first.stdout).toContain('accounts not closed (use --close-accounts to close them)');
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('orders is already offboarded; nothing to do');
    expect(second.stdout).toContain(
      'stack sets deleted: appvend-orders-pipeline, appvend-orders-artifact-store',
    );
    expect(JSON.parse(status.stdout)).toMatchObject({
      status: 'OFFBOARDED',
      history: [{ closeAccounts: false }],
    });
    const text = appvend(['status', 'orders', '--state', state]).stdout;
    expect(text).toContain('orders: OFFBOARDED');
    expect(text).toMatch(
      /offboarded \S+: removed 4 stack set\(s\), SCP p-\w+, OU ou-[\w-]+; 3 account\(s\) suspended, 0 closed/,
    );
  });
});
