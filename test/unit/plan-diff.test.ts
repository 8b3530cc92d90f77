import fc from 'fast-check';
import { canonicalJson, unifiedDiff } from '../../shared/workflow/plan/diff';
import { stackSetDifferences } from '../../shared/domain/stack-set-differences';

const labels = { from: 'current', to: 'wanted' };

/** Applies a unified diff to `before`, checking every context and removed line against it. */
function applyDiff(before: string[], diff: string): string[] {
  if (diff === '') return before;
  const lines = diff.split('\n').slice(2);
  const out: string[] = [];
  let at = 0;
  for (let i = 0; i < lines.length;) {
    const header = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(lines[i++]!);
    if (!header) throw new Error(`not a hunk header: ${lines[i - 1]}`);
    const [oldStart, oldLength] = [Number(header[1]), Number(header[2] ?? 1)];
    const start = oldLength === 0 ? oldStart : oldStart - 1;
    while (at < start) out.push(before[at++]!);
    let seenOld = 0;
    while (i < lines.length && !lines[i]!.startsWith('@@')) {
      const line = lines[i++]!;
      const text = line.slice(1);
      if (line[0] === '+') {
        out.push(text);
        continue;
      }
      if (before[at] !== text) throw new Error(`line ${at + 1} is "${before[at]}", the diff says "${text}"`);
      if (line[0] === ' ') out.push(text);
      at++;
      seenOld++;
    }
    if (seenOld !== oldLength) throw new Error(`hunk says ${oldLength} old lines, has ${seenOld}`);
  }
  while (at < before.length) out.push(before[at++]!);
  return out;
}

describe('Plan: unifiedDiff', () => {
  it('is empty when nothing changed', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', labels)).toBe('');
  });

  it('prints one hunk with three lines of context, removals before additions', () => {
    // Prepare
    const before = ['1', '2', '3', '4', '5', '6', '7', '8'].join('\n');
    const after = ['1', '2', '3', '4', 'five', '6', '7', '8'].join('\n');

    // Act
    const diff = unifiedDiff(before, after, labels);

    // Assess
    expect(diff.split('\n')).toEqual([
      '--- current',
      '+++ wanted',
      '@@ -2,7 +2,7 @@',
      ' 2',
      ' 3',
      ' 4',
      '-5',
      '+five',
      ' 6',
      ' 7',
      ' 8',
    ]);
  });

  it('splits changes further apart than twice the context into hunks', () => {
    // Prepare
    const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
    const after = before.map((line, i) => (i === 1 || i === 17 ? `${line} changed` : line));

    // Act
    const diff = unifiedDiff(before.join('\n'), after.join('\n'), labels, 1);

    // Assess
    expect(diff.split('\n').filter((l) => l.startsWith('@@'))).toEqual([
      '@@ -1,3 +1,3 @@',
      '@@ -17,3 +17,3 @@',
    ]);
  });

  it('names the line before an empty side and leaves out a length of one, as diff -u does', () => {
    expect(unifiedDiff('', 'a\nb\n', labels)).toBe('--- current\n+++ wanted\n@@ -0,0 +1,2 @@\n+a\n+b');
    expect(unifiedDiff('a\nb\nc\n', 'a\nc\n', labels, 0)).toBe('--- current\n+++ wanted\n@@ -2 +1,0 @@\n-b');
  });

  it('turns any document into any other when applied', () => {
    const document = fc.array(fc.constantFrom('{', '}', '"a": 1,', '"b": [', ']', '"c": "x"'), {
      maxLength: 25,
    });
    fc.assert(
      fc.property(document, document, fc.integer({ min: 0, max: 4 }), (before, after, context) => {
        const diff = unifiedDiff(before.join('\n'), after.join('\n'), labels, context);
        expect(applyDiff(before, diff)).toEqual(after);
        expect(diff === '').toBe(before.join('\n') === after.join('\n'));
      }),
      { numRuns: 300 },
    );
  });
});

describe('Plan: canonicalJson', () => {
  it('pretty-prints JSON, keeping the order of keys, and leaves other text alone', () => {
    expect(canonicalJson('{"b":1,"a":[true]}')).toBe('{\n  "b": 1,\n  "a": [\n    true\n  ]\n}');
    expect(canonicalJson('{ "b" : 1 ,\n "a":[ true ] }')).toBe(canonicalJson('{"b":1,"a":[true]}'));
    expect(canonicalJson('not json')).toBe('not json');
  });
});

describe('Plan: stackSetDifferences', () => {
  const template = JSON.stringify({ Resources: { Bucket: { Type: 'AWS::S3::Bucket' } } });
  const deployed = (body: string, parameters: Record<string, string>) => ({
    TemplateBody: body,
    Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
      ParameterKey,
      ParameterValue,
    })),
  });

  it('finds a stack set up to date when only the formatting of its template differs', () => {
    // Act
    const result = stackSetDifferences(deployed(JSON.stringify(JSON.parse(template), null, 2), { A: '1' }), {
      templateBody: template,
      parameters: { A: '1' },
    });

    // Assess
    expect(result.upToDate).toBe(true);
    expect(result.parameters).toEqual([]);
    expect(result.templateDigest.current).toBe(result.templateDigest.wanted);
  });

  it('lists each changed, added and dropped parameter with both values, in key order', () => {
    // Act
    const result = stackSetDifferences(deployed(template, { Same: 'x', Changed: 'old', Dropped: 'gone' }), {
      templateBody: template,
      parameters: { Same: 'x', Changed: 'new', Added: 'here' },
    });

    // Assess
    expect(result.upToDate).toBe(false);
    expect(result.parameters).toEqual([
      { key: 'Added', wanted: 'here' },
      { key: 'Changed', current: 'old', wanted: 'new' },
      { key: 'Dropped', current: 'gone' },
    ]);
  });

  it('tells a changed template by its digest', () => {
    // Act
    const result = stackSetDifferences(deployed(template, {}), {
      templateBody: template.replace('Bucket"', 'Store"'),
      parameters: {},
    });

    // Assess
    expect(result.upToDate).toBe(false);
    expect(result.templateDigest.current).toMatch(/^[0-9a-f]{16}$/);
    expect(result.templateDigest.current).not.toBe(result.templateDigest.wanted);
  });
});
