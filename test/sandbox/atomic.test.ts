import { atomically, changedOutsideCalls, recordValues } from '../../shared/sandbox/atomic';

interface Item {
  id: string;
  status: string;
  tags: string[];
}
interface World {
  items: Record<string, Item>;
  log: string[];
  counter: number;
}

const world = (): World => ({
  items: { a: { id: 'a', status: 'ACTIVE', tags: ['x'] }, b: { id: 'b', status: 'ACTIVE', tags: [] } },
  log: ['start'],
  counter: 1,
});

describe('Function: atomically', () => {
  it('undoes every change of a call that throws, at any depth, arrays included', () => {
    // Prepare
    const state = world();
    const before = structuredClone(state);

    // Act
    const call = () =>
      atomically(state, (s) => {
        s.counter += 1;
        s.items.a!.status = 'CLOSED';
        s.items.a!.tags.push('y');
        s.items.c = { id: 'c', status: 'NEW', tags: [] };
        delete s.items.b;
        s.log.shift();
        Object.assign(s.items.c, { status: 'READY' });
        throw new Error('refused');
      });

    // Assess
    expect(call).toThrow('refused');
    expect(state).toEqual(before);
  });

  it('keeps the changes of a call that succeeds, and leaves no proxy in the state or the output', () => {
    // Prepare
    const state = world();

    // Act
    const output = atomically(state, (s) => {
      const fresh: { id: string; status: string; tags: string[]; first?: Item } = {
        id: 'c',
        status: 'NEW',
        tags: [],
      };
      s.items.c = fresh;
      // Given a proxy through the call's own reference to an object it put in the state
      fresh.first = s.items.a;
      return { moved: s.items.a, all: recordValues(s.items) };
    });

    // Assess: structuredClone refuses proxies, so these would throw if any were left
    expect(Object.keys(state.items)).toEqual(['a', 'b', 'c']);
    expect(structuredClone(state).items.c).toEqual({
      id: 'c',
      status: 'NEW',
      tags: [],
      first: { id: 'a', status: 'ACTIVE', tags: ['x'] },
    });
    expect((state.items.c as { first?: Item }).first).toBe(state.items.a);
    expect(structuredClone(output).all.map((i) => i.id)).toEqual(['a', 'b', 'c']);
    expect(output.moved).toBe(state.items.a);
  });
});

describe('Function: recordValues', () => {
  it('follows members added or removed by calls, also by a call that failed and was undone', () => {
    // Prepare
    const state = world();
    expect(recordValues(state.items).map((i) => i.id)).toEqual(['a', 'b']);

    // Act
    atomically(state, (s) => {
      s.items.c = { id: 'c', status: 'NEW', tags: [] };
      return {};
    });
    const afterAdd = recordValues(state.items).map((i) => i.id);
    expect(() =>
      atomically(state, (s) => {
        delete s.items.a;
        expect(recordValues(s.items).map((i) => i.id)).toEqual(['b', 'c']);
        throw new Error('refused');
      }),
    ).toThrow('refused');
    const afterUndo = recordValues(state.items).map((i) => i.id);

    // Assess
    expect(afterAdd).toEqual(['a', 'b', 'c']);
    expect(afterUndo).toEqual(['a', 'b', 'c']);
  });

  it('follows changes made outside calls once told, and hands each caller its own array', () => {
    // Prepare
    const state = world();
    const first = recordValues(state.items);
    first.reverse();

    // Act
    state.items.d = { id: 'd', status: 'NEW', tags: [] };
    changedOutsideCalls();

    // Assess
    expect(recordValues(state.items).map((i) => i.id)).toEqual(['a', 'b', 'd']);
  });

  it("gives a call its members wrapped, so that changes through them are undone with the call's", () => {
    // Prepare
    const state = world();

    // Act
    expect(() =>
      atomically(state, (s) => {
        for (const item of recordValues(s.items)) item.status = 'CLOSED';
        throw new Error('refused');
      }),
    ).toThrow('refused');

    // Assess
    expect(recordValues(state.items).map((i) => i.status)).toEqual(['ACTIVE', 'ACTIVE']);
  });
});

describe('Function: atomically, key order', () => {
  it('puts a deleted key back where it was, so that listings keep their order', () => {
    // Prepare
    const state = world();
    state.items.c = { id: 'c', status: 'NEW', tags: [] };

    // Act
    expect(() =>
      atomically(state, (s) => {
        delete s.items.a;
        s.items.d = { id: 'd', status: 'NEW', tags: [] };
        delete s.items.c;
        throw new Error('refused');
      }),
    ).toThrow('refused');

    // Assess
    expect(Object.keys(state.items)).toEqual(['a', 'b', 'c']);
  });
});
