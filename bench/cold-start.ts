import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';

/**
 * How each Lambda handler is bundled for deployment, as `infra/service/esbuild-bundling.ts` does
 * it: CommonJS, minified, tree-shaken (packages' ES module builds first), a
 * linked source map without sources, and
 * the AWS SDK bundled rather than left to the runtime's copy — so that the function runs the SDK
 * version the lock file pins and the tests ran, and loads one file instead of resolving the SDK's
 * many modules. The deployed functions run with `NODE_OPTIONS=--enable-source-maps`, which makes
 * Node read the source map at load time; the figures without it, and with the SDK left external,
 * are measured too, for comparison.
 */
export const DEPLOYMENT_BUNDLE: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  treeShaking: true,
  // As infra/service/esbuild-bundling.ts: ES module builds first, which esbuild can tree-shake.
  mainFields: ['module', 'main'],
  sourcemap: true,
  sourcesContent: false,
  legalComments: 'none',
  logLevel: 'warning',
};

export interface InitFigures {
  /** Median `require` time with `--enable-source-maps`, as deployed, ms. */
  deployedMs: number;
  /** The same bundle without `--enable-source-maps`, ms; when measured. */
  withoutSourceMapsMs?: number;
  /** With `@aws-sdk/*` left external (the runtime's SDK), no source maps, ms; when measured. */
  sdkExternalMs?: number;
}

export interface HandlerFigures {
  handler: string;
  /** Bundle size, bytes (the .js, minified, SDK bundled). */
  bytes: number;
  /** The source map Node reads at load with `--enable-source-maps`, bytes. */
  sourceMapBytes: number;
  /** Bundle size with the SDK external, bytes. */
  sdkExternalBytes: number;
  init: InitFigures;
  /** Bytes in the bundle by package (`@aws-sdk/client-sts`, `zod`, …; `(appvend)` for our code). */
  packages: Record<string, number>;
}

/** The spread of the per-pair ratios handler / baseline, each pair measured back to back. */
export interface PairedRatio {
  pairs: number;
  median: number;
  /** First and third quartiles. */
  q1: number;
  q3: number;
  min: number;
  max: number;
}

export interface ColdStartFigure extends HandlerFigures {
  /** bytes / the baseline's bytes. */
  sizeRatio: number;
  /** init.deployedMs / the baseline's (each a median over its own runs): unpaired, for reference. */
  initRatio: number;
  /**
   * Init time as deployed over the baseline's, measured in pairs (the baseline, then the handler,
   * in fresh processes one after the other, so that both see the same moment of a loaded machine):
   * the verdict is taken on its median.
   */
  pairedRatio: PairedRatio;
  /** init.withoutSourceMapsMs / the baseline's; when measured. */
  initRatioWithoutSourceMaps?: number;
}

export interface ColdStartResult {
  runs: number;
  node: string;
  baseline: HandlerFigures;
  handlers: ColdStartFigure[];
}

/** The `q` quantile (0–1) by linear interpolation between the sorted values. */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

const median = (values: number[]): number => quantile(values, 0.5);

/** The spread of paired ratios. */
export function pairedRatio(ratios: number[]): PairedRatio {
  if (ratios.length === 0) throw new Error('No pairs measured');
  return {
    pairs: ratios.length,
    median: quantile(ratios, 0.5),
    q1: quantile(ratios, 0.25),
    q3: quantile(ratios, 0.75),
    min: Math.min(...ratios),
    max: Math.max(...ratios),
  };
}

/** `node_modules/@scope/name/...` → `@scope/name`; anything else is the project's own code. */
function packageOf(path: string): string {
  const at = path.lastIndexOf('node_modules/');
  if (at < 0) return '(appvend)';
  const parts = path.slice(at + 'node_modules/'.length).split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

function packageBytes(inputs: Record<string, { bytesInOutput: number }>): Record<string, number> {
  const bytes: Record<string, number> = {};
  for (const [path, input] of Object.entries(inputs)) {
    const name = packageOf(path);
    bytes[name] = (bytes[name] ?? 0) + input.bytesInOutput;
  }
  return Object.fromEntries(Object.entries(bytes).sort(([, a], [, b]) => b - a));
}

/** Loads a bundle in a fresh Node process and reports how long `require` took, in ms. */
function initOnce(file: string, nodeFlags: string[]): number {
  const script =
    'const t=process.hrtime.bigint();require(process.argv[1]);' +
    'process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))';
  const out = execFileSync(process.execPath, [...nodeFlags, '-e', script, file], {
    encoding: 'utf8',
    // What Lambda sets that module initialisation may read; nothing of this machine's own.
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: 'appvend-bench',
      POWERTOOLS_SERVICE_NAME: 'appvend',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  return Number(out);
}

/**
 * Bundles every handler in `services/` and the baseline as for deployment (and with the SDK
 * external), then measures each bundle's size and its module-initialisation time in `runs` fresh
 * Node processes per variant, round-robin so that a slow moment of the machine spreads evenly. As
 * deployed, each handler is measured in pairs with the baseline (the baseline then the handler),
 * `runs` pairs per handler: the baseline runs once per pair.
 */
export async function measureColdStart(
  root: string,
  outDir: string,
  options: {
    runs: number;
    /** Also measure without source maps and with the SDK external. */ variants: boolean;
  },
): Promise<ColdStartResult> {
  const services = readdirSync(join(root, 'services'))
    .filter((name) =>
      statSync(join(root, 'services', name, 'handler.ts'), { throwIfNoEntry: false })?.isFile(),
    )
    .sort();
  const entries = [
    { handler: 'baseline', file: join(root, 'bench/baseline-handler.ts') },
    ...services.map((name) => ({ handler: name, file: join(root, 'services', name, 'handler.ts') })),
  ];
  mkdirSync(join(outDir, 'bundled'), { recursive: true });
  mkdirSync(join(outDir, 'external'), { recursive: true });
  const bundles = [];
  for (const entry of entries) {
    const bundled = join(outDir, 'bundled', `${entry.handler}.js`);
    const external = join(outDir, 'external', `${entry.handler}.js`);
    const { metafile } = await build({
      ...DEPLOYMENT_BUNDLE,
      entryPoints: [entry.file],
      outfile: bundled,
      metafile: true,
    });
    await build({
      ...DEPLOYMENT_BUNDLE,
      sourcemap: false,
      entryPoints: [entry.file],
      outfile: external,
      external: ['@aws-sdk/*'],
    });
    const output = Object.entries(metafile.outputs).find(([path]) => path.endsWith('.js'))?.[1];
    bundles.push({
      ...entry,
      bundled,
      external,
      packages: packageBytes(output?.inputs ?? {}),
      deployed: [] as number[],
      /** handler / baseline, one per pair. */
      paired: [] as number[],
      plain: [] as number[],
      sdkExternal: [] as number[],
    });
  }
  const base = bundles[0]!;
  for (let i = 0; i < options.runs; i += 1) {
    for (const b of bundles) {
      if (b !== base) {
        // One pair: the baseline, then this handler, back to back; the baseline's figure is also
        // one of its own runs.
        const baseMs = initOnce(base.bundled, ['--enable-source-maps']);
        base.deployed.push(baseMs);
        const ms = initOnce(b.bundled, ['--enable-source-maps']);
        b.deployed.push(ms);
        b.paired.push(ms / baseMs);
      }
      if (options.variants) {
        b.plain.push(initOnce(b.bundled, []));
        b.sdkExternal.push(initOnce(b.external, []));
      }
    }
  }
  const paired = new Map(bundles.map((b) => [b.handler, b.paired]));
  const figures: HandlerFigures[] = bundles.map((b) => ({
    handler: b.handler,
    bytes: statSync(b.bundled).size,
    sourceMapBytes: statSync(`${b.bundled}.map`).size,
    sdkExternalBytes: statSync(b.external).size,
    init: {
      deployedMs: median(b.deployed),
      ...(options.variants
        ? { withoutSourceMapsMs: median(b.plain), sdkExternalMs: median(b.sdkExternal) }
        : {}),
    },
    packages: b.packages,
  }));
  const baseline = figures[0]!;
  return {
    runs: options.runs,
    node: process.version,
    baseline,
    handlers: figures.slice(1).map((f) => ({
      ...f,
      sizeRatio: f.bytes / baseline.bytes,
      initRatio: f.init.deployedMs / baseline.init.deployedMs,
      pairedRatio: pairedRatio(paired.get(f.handler) ?? []),
      ...(f.init.withoutSourceMapsMs !== undefined && baseline.init.withoutSourceMapsMs !== undefined
        ? { initRatioWithoutSourceMaps: f.init.withoutSourceMapsMs / baseline.init.withoutSourceMapsMs }
        : {}),
    })),
  };
}
