import { VirtualClock } from '../../shared/clock/clock';

describe('Class: VirtualClock', () => {
  it('jumps to the earliest wake-up once every branch sleeps', async () => {
    // Prepare
    const clock = new VirtualClock(0);
    const woke: [string, number][] = [];

    // Act
    await Promise.all([
      clock.sleep(180_000).then(() => woke.push(['account', clock.now()])),
      clock.sleep(60_000).then(() => woke.push(['stack', clock.now()])),
    ]);

    // Assess
    expect(woke).toEqual([
      ['stack', 60_000],
      ['account', 180_000],
    ]);
  });

  it('overlaps parallel waits instead of adding them', async () => {
    // Prepare
    const clock = new VirtualClock(0);

    // Act
    await Promise.all([1, 2, 3].map(() => clock.sleep(120_000)));

    // Assess
    expect(clock.now()).toBe(120_000);
  });

  it('holds time still while work is in flight', async () => {
    // Prepare
    const clock = new VirtualClock(0);
    let seenDuringWork = -1;

    // Act
    const sleeper = clock.sleep(10_000);
    await clock.busy(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      seenDuringWork = clock.now();
    });
    await sleeper;

    // Assess
    expect(seenDuringWork).toBe(0);
    expect(clock.now()).toBe(10_000);
  });

  it('refuses to go backwards', () => {
    // Act & Assess
    expect(() => new VirtualClock(0).advance(-1)).toThrow(RangeError);
  });
});
