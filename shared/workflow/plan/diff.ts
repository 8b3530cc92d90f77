/**
 * Line diffs for the plan: a policy document shown as a reviewer reads a pull request.
 */

/**
 * A JSON document pretty-printed with its keys in their order, so that two documents compare equal
 * exactly when the SCP adapter finds them the same (it compares minified JSON, key order included).
 * Text that is not JSON is returned as it is.
 */
export function canonicalJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

type Edit = { op: ' ' | '-' | '+'; line: string };

/** The shortest edit script between two line lists (longest common subsequence, by table). */
function edits(before: string[], after: string[]): Edit[] {
  const n = before.length;
  const m = after.length;
  // lcs[i][j]: length of the longest common subsequence of before[i..] and after[j..].
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] =
        before[i] === after[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const script: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      script.push({ op: ' ', line: before[i++]! });
      j++;
    } else if (j < m && (i === n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      script.push({ op: '+', line: after[j++]! });
    } else {
      script.push({ op: '-', line: before[i++]! });
    }
  }
  // Removals before additions within a run of changes, as `diff -u` prints them.
  for (let k = 0; k < script.length;) {
    if (script[k]!.op === ' ') {
      k++;
      continue;
    }
    let end = k;
    while (end < script.length && script[end]!.op !== ' ') end++;
    const run = script.slice(k, end);
    script.splice(k, run.length, ...run.filter((e) => e.op === '-'), ...run.filter((e) => e.op === '+'));
    k = end;
  }
  return script;
}

/**
 * `start,length` of a hunk side, as `diff -u` writes it: an empty side names the line before it,
 * and a length of one is left out.
 */
const range = (start: number, length: number): string =>
  length === 0 ? `${start},0` : length === 1 ? `${start + 1}` : `${start + 1},${length}`;

/**
 * A unified diff (`diff -u` format, `context` lines around each change) from `before` to `after`;
 * an empty string when they are the same.
 *
 * @example
 * unifiedDiff('a\nb\n', 'a\nc\n', { from: 'current', to: 'wanted' });
 * // '--- current\n+++ wanted\n@@ -1,2 +1,2 @@\n a\n-b\n+c'
 */
export function unifiedDiff(
  before: string,
  after: string,
  labels: { from: string; to: string },
  context = 3,
): string {
  const split = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));
  const script = edits(split(before), split(after));
  const changed = script.flatMap((edit, index) => (edit.op === ' ' ? [] : [index]));
  if (changed.length === 0) return '';

  // Group changes whose contexts touch or overlap into one hunk.
  const hunks: [number, number][] = [];
  for (const index of changed) {
    const last = hunks.at(-1);
    if (last && index - last[1] <= 2 * context + 1) last[1] = index;
    else hunks.push([index, index]);
  }

  const lines = [`--- ${labels.from}`, `+++ ${labels.to}`];
  for (const [first, last] of hunks) {
    const start = Math.max(0, first - context);
    const end = Math.min(script.length - 1, last + context);
    const before = script.slice(0, start);
    const oldStart = before.filter((e) => e.op !== '+').length;
    const newStart = before.filter((e) => e.op !== '-').length;
    const body = script.slice(start, end + 1);
    const oldLength = body.filter((e) => e.op !== '+').length;
    const newLength = body.filter((e) => e.op !== '-').length;
    lines.push(`@@ -${range(oldStart, oldLength)} +${range(newStart, newLength)} @@`);
    lines.push(...body.map((e) => `${e.op}${e.line}`));
  }
  return lines.join('\n');
}
