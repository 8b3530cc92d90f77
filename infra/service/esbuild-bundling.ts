import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AssetHashType, DockerImage, type ILocalBundling } from 'aws-cdk-lib';
import { Code, type Runtime } from 'aws-cdk-lib/aws-lambda';
import { buildSync, type BuildOptions } from 'esbuild';

/** Files copied into the function's bundle, beside `index.js`. */
export interface BundledDirectory {
  /** Absolute path of the directory to copy. */
  from: string;
  /** Directory name inside the bundle (the handler finds it at `join(__dirname, to)`). */
  to: string;
}

export interface HandlerBundleProps {
  /** The handler module (`services/<step>/handler.ts`), absolute. */
  entry: string;
  /** The repository root: esbuild's working directory, and the asset's source. */
  projectRoot: string;
  /** The function's runtime: esbuild targets its Node.js version. */
  runtime: Runtime;
  /** Directories copied into the bundle after esbuild wrote it. */
  bundledDirectories: readonly BundledDirectory[];
}

/**
 * esbuild's options for a handler: what NodejsFunction passed to the esbuild command line for this
 * project's functions (`index.js` in CommonJS for the runtime's Node.js, minified, with a linked
 * source map without sources), the ES module builds of packages first (esbuild tree-shakes ES
 * modules, not CommonJS: the SDK, Powertools and zod keep only what the handler uses, about a third
 * less code to load), and every package bundled, the SDK too (the function runs the SDK version
 * the tests ran, not the runtime's).
 */
export function handlerBuildOptions(
  bundle: Pick<EsbuildLocalBundling, 'entry' | 'projectRoot' | 'target'>,
  outputDir: string,
): BuildOptions {
  return {
    absWorkingDir: bundle.projectRoot,
    entryPoints: [bundle.entry],
    bundle: true,
    platform: 'node',
    target: bundle.target,
    format: 'cjs',
    outfile: join(outputDir, 'index.js'),
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    external: [],
    logLevel: 'warning',
  };
}

/**
 * Bundles a handler in this process with esbuild's API. NodejsFunction ran the esbuild command
 * through `npx` once per function (a Node.js and an esbuild process each, seconds per function and
 * about a minute per synth of the service); the API builds the same bundle without either. The
 * fields are plain data: CDK keys its cache of staged assets on them, so two functions never share
 * a bundle.
 */
export class EsbuildLocalBundling implements ILocalBundling {
  public readonly entry: string;
  public readonly projectRoot: string;
  /** esbuild's target: the runtime's Node.js version (`node24` for `nodejs24.x`). */
  public readonly target: string;
  public readonly bundledDirectories: readonly BundledDirectory[];

  public constructor(props: HandlerBundleProps) {
    const version = /^nodejs(\d+)/.exec(props.runtime.name)?.[1];
    if (version === undefined) throw new Error(`${props.runtime.name} is not a Node.js runtime`);
    this.entry = props.entry;
    this.projectRoot = props.projectRoot;
    this.target = `node${version}`;
    this.bundledDirectories = props.bundledDirectories;
  }

  /** Writes the bundle into `outputDir`; esbuild's build errors throw (and fail the synth). */
  public tryBundle(outputDir: string): boolean {
    const own = takeBuiltTogether(this);
    if (own) {
      mkdirSync(outputDir, { recursive: true });
      for (const file of BUNDLE_FILES) copyFileSync(join(own.dir, file), join(outputDir, file));
      own.done();
    } else {
      buildSync(handlerBuildOptions(this, outputDir));
    }
    for (const { from, to } of this.bundledDirectories) {
      cpSync(from, join(outputDir, to), { recursive: true });
    }
    return true;
  }
}

/** What esbuild writes for a handler: the bundle and its source map. */
const BUNDLE_FILES = ['index.js', 'index.js.map'] as const;

/** Per project root and target: the handlers built in one esbuild run, each in its directory. */
const builtTogether = new Map<string, { root: string; dirs: Map<string, string> }>();

/**
 * Every handler of the project (`services/<step>/handler.ts`) bundled in one esbuild run, the
 * first time one is asked for: esbuild then reads and parses the SDK and the shared code once
 * instead of once per function (about 4 s instead of 12 s for the service's functions on two
 * cores). Each output is the bundle a build of that handler alone writes, byte for byte: the
 * entries are separate bundles (no code splitting), with the same options. They are written under
 * the project's `.tmp/`, at the same depth whatever the run, so that the source maps' relative
 * paths, and with them the assets' hashes, do not depend on where the build ran. A handler outside
 * `services/` is bundled alone.
 */
function takeBuiltTogether(bundle: EsbuildLocalBundling): { dir: string; done(): void } | undefined {
  const key = `${bundle.projectRoot}\n${bundle.target}`;
  let built = builtTogether.get(key);
  if (!built) {
    const services = join(bundle.projectRoot, 'services');
    if (!existsSync(services)) return undefined;
    const entries = readdirSync(services)
      .map((step) => join(services, step, 'handler.ts'))
      .filter((entry) => existsSync(entry));
    mkdirSync(join(bundle.projectRoot, '.tmp'), { recursive: true });
    const root = mkdtempSync(join(bundle.projectRoot, '.tmp', 'bundles-'));
    process.once('exit', () => rmSync(root, { recursive: true, force: true }));
    const { outfile: _one, entryPoints: _single, ...options } = handlerBuildOptions(bundle, root);
    buildSync({
      ...options,
      entryPoints: entries.map((entry, i) => ({ in: entry, out: join(String(i), 'index') })),
      outdir: root,
    });
    built = { root, dirs: new Map(entries.map((entry, i) => [entry, join(root, String(i))])) };
    builtTogether.set(key, built);
  }
  const dir = built.dirs.get(bundle.entry);
  if (dir === undefined) return undefined;
  const batch = built;
  return {
    dir,
    // Each bundle is taken once per synth: when the last is, the directory goes (a later synth in
    // this process builds them again, from the code as it is then).
    done: () => {
      batch.dirs.delete(bundle.entry);
      if (batch.dirs.size > 0) return;
      rmSync(batch.root, { recursive: true, force: true });
      builtTogether.delete(key);
    },
  };
}

/**
 * The handler's code asset: bundled locally by {@link EsbuildLocalBundling}, and named by the hash of
 * the bundle (as NodejsFunction names it), so that a change of the bundle, and only that, deploys.
 * Docker is never used: the image is a placeholder CDK requires and local bundling always answers.
 */
export function bundledHandlerCode(props: HandlerBundleProps): Code {
  return Code.fromAsset(props.projectRoot, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('dummy'),
      local: new EsbuildLocalBundling(props),
    },
  });
}
