#!/usr/bin/env node
// `npm run build`: the production build, in plain Node (no tsx).
//   1. type-checks the whole project (tsc --noEmit): production code is never run unchecked;
//   2. bundles the command line (cli/entry.ts and everything it imports of ours) into dist/ecp-cutover.mjs with esbuild —
//      plain JavaScript, the npm packages left as imports (installed by `npm ci --omit=dev`); what a command
//      loads when it runs (a dynamic import) is a chunk beside it;
//   3. bundles the workflow code once (the SDK's bundleWorkflowCode) into dist/workflows.js, which the worker
//      loads instead of bundling at start;
//   4. copies the folder catalog next to it and writes dist/build-info.json: the version and the git commit,
//      from which the worker's Build ID (Worker Versioning) is made.
// Why a bundler and not tsc's own output: our sources import without file extensions (moduleResolution
// Bundler), which Node's ESM loader does not resolve; one bundled file also starts faster (docs/development.md, BENCHMARKS.md).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = path.join(root, 'dist');
const step = (what) => process.stdout.write(`build: ${what}\n`);
const skipTypecheck = process.argv.includes('--no-typecheck');

if (!skipTypecheck) {
  step('type-checking (tsc --noEmit)');
  execFileSync(
    process.execPath,
    [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', root],
    { stdio: 'inherit' },
  );
}

const tmp = `${dist}.tmp-${process.pid}`;
fs.rmSync(tmp, { recursive: true, force: true });
fs.mkdirSync(tmp, { recursive: true });

step('bundling the command line (esbuild) → dist/ecp-cutover.mjs');
const esbuild = await import('esbuild');
await esbuild.build({
  entryPoints: { 'ecp-cutover': path.join(root, 'cli', 'entry.ts') },
  outdir: tmp,
  outExtension: { '.js': '.mjs' },
  // The commands' dynamic imports become chunks beside it, loaded only by the commands that need them.
  splitting: true,
  chunkNames: 'chunk-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
});

step('bundling the workflows (bundleWorkflowCode) → dist/workflows.js');
const { bundleWorkflowCode } = await import('@temporalio/worker');
const noop = () => undefined;
const { code } = await bundleWorkflowCode({
  workflowsPath: path.join(root, 'workflows', 'index.ts'),
  logger: { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop },
});
fs.writeFileSync(path.join(tmp, 'workflows.js'), code);

fs.cpSync(path.join(root, 'db', 'catalog'), path.join(tmp, 'catalog'), { recursive: true });
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
let commit = process.env.BUILD_COMMIT ?? '';
if (!commit) {
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (dirty) commit += '-dirty';
  } catch {
    commit = 'unknown';
  }
}
const info = {
  version: pkg.version,
  commit,
  buildId: `${pkg.version}+${commit.slice(0, 12)}${commit.endsWith('-dirty') ? '-dirty' : ''}`,
  builtAt: new Date().toISOString(),
};
fs.writeFileSync(path.join(tmp, 'build-info.json'), JSON.stringify(info, null, 2) + '\n');

// Replace dist/ at once: a half-written build is never run.
fs.rmSync(dist, { recursive: true, force: true });
fs.renameSync(tmp, dist);
step(`done: dist/ (build ${info.buildId})`);
