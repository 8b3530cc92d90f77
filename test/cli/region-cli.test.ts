import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../shared/clock/clock';
import { Sandbox, type SandboxStateJson } from '../../shared/sandbox';
import { runAppvend } from '../support/cli';

/** A saved sandbox organization as `appvend` keeps it between runs, with nothing vended yet. */
function seedSandbox(): { state: string; before: SandboxStateJson } {
  const state = join(mkdtempSync(join(tmpdir(), 'appvend-region-')), 'sandbox.json');
  const clock = new VirtualClock();
  const before = new Sandbox({ clock }).toJSON();
  writeFileSync(state, JSON.stringify({ version: 1, clock: clock.now(), sandbox: before }));
  return { state, before };
}

/** What the sandbox holds after the run, read back from the file `appvend` saves. */
function sandboxAfter(state: string): Sandbox {
  const saved = JSON.parse(readFileSync(state, 'utf8')) as { clock: number; sandbox: SandboxStateJson };
  return new Sandbox({ clock: new VirtualClock(saved.clock), state: saved.sandbox });
}

/** The saved organization is as it was seeded: no OU, account, policy, CreateAccount or stack set. */
function expectNothingCreated(state: string, before: SandboxStateJson): void {
  const after = sandboxAfter(state);
  expect(after.ous().map((ou) => ou.id)).toEqual(Object.keys(before.ous));
  expect(after.accounts().map((a) => a.id)).toEqual(Object.keys(before.accounts));
  expect(after.policies().map((p) => p.id)).toEqual(Object.keys(before.policies));
  expect(after.createAccountRequests()).toEqual([]);
  expect(after.stackSets()).toEqual([]);
}

describe('CLI: the Region is checked before any AWS call', () => {
  it('vend --region mars-1: refused, naming the Region, with nothing created', () => {
    // Prepare
    const { state, before } = seedSandbox();

    // Act
    const { code, stderr } = runAppvend([
      'vend',
      'events/application-request.json',
      '--state',
      state,
      '--region',
      'mars-1',
    ]);

    // Assess
    expect(code).toBe(1);
    expect(stderr).toContain('Region "mars-1" is not an AWS commercial Region');
    expectNothingCreated(state, before);
  });

  it('vend --region ap-east-1 (an opt-in Region): refused with why, with nothing created', () => {
    // Prepare
    const { state, before } = seedSandbox();

    // Act
    const { code, stderr } = runAppvend([
      'vend',
      'events/application-request.json',
      '--state',
      state,
      '--region',
      'ap-east-1',
    ]);

    // Assess
    expect(code).toBe(1);
    expect(stderr).toContain('Region "ap-east-1" is an opt-in Region');
    expect(stderr).toContain('does not enable Regions in the accounts it creates');
    expectNothingCreated(state, before);
  });

  it('plan with AWS_REGION=mars-1: refused before reading anything', () => {
    // Prepare
    const { state } = seedSandbox();

    // Act
    const { code, stderr } = runAppvend(['plan', 'events/application-request.json', '--state', state], {
      AWS_REGION: 'mars-1',
    });

    // Assess
    expect(code).toBe(1);
    expect(stderr).toContain('Region "mars-1" is not an AWS commercial Region');
    expect(stderr).not.toContain('planning');
  });
});
