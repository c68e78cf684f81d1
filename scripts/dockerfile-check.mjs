#!/usr/bin/env node
// Builds the Dockerfile's stages without a Docker engine: it reads the Dockerfile and runs the same steps — ARG,
// ENV, WORKDIR, COPY (from the build context, filtered by .dockerignore, or --from an earlier stage) and RUN —
// each stage in a clean directory of its own, on this machine's Node instead of the base image. Then it checks
// the runtime stage the way the image is used: the entrypoint answers `--help` and `health --help`, dist/ and
// the workflow bundle are there, and neither the compiler, tsx nor any source file is.
// Usage: node scripts/dockerfile-check.mjs [--keep]   (CI runs it; the image itself is built where Docker is.)
import { execFileSync, execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ecp-dockerfile-'));
const say = (line) => process.stdout.write(`dockerfile-check: ${line}\n`);
const fail = (line) => {
  process.stderr.write(`dockerfile-check: FAILED: ${line}\n`);
  process.exit(1);
};

// The build context: the repository as `docker build .` would send it (.dockerignore applied).
const ignore = fs
  .readFileSync(path.join(root, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const ignored = (rel) =>
  ignore.some((p) => (p.startsWith('*.') ? rel.endsWith(p.slice(1)) : rel === p || rel.startsWith(`${p}/`)));
const context = path.join(work, 'context');
fs.cpSync(root, context, {
  recursive: true,
  filter: (src) => src === root || !ignored(path.relative(root, src)),
});

// Continuation lines joined, comments dropped.
const lines = fs
  .readFileSync(path.join(root, 'Dockerfile'), 'utf8')
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const args = {};
const stages = {};
let stage = null;
const expand = (text, env) => text.replace(/\$\{?(\w+)\}?/g, (m, name) => env[name] ?? args[name] ?? m);
const inStage = (p) => path.join(stage.dir, path.isAbsolute(p) ? p : path.join(stage.workdir, p));

for (const line of lines) {
  const [instruction, ...rest] = line.split(/\s+/);
  const text = rest.join(' ');
  switch (instruction) {
    case 'ARG': {
      const [name, value] = text.split('=');
      if (stage) stage.env[name] = process.env[name] ?? value ?? args[name] ?? '';
      else args[name] = value ?? '';
      break;
    }
    case 'FROM': {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(text);
      const name = m[2] ?? `stage${Object.keys(stages).length}`;
      stage = {
        name,
        image: expand(m[1], {}),
        dir: path.join(work, name),
        home: path.join(work, `${name}-home`),
        workdir: '/',
        env: {},
        entrypoint: null,
        cmd: null,
        user: null,
      };
      stages[name] = stage;
      fs.mkdirSync(stage.dir, { recursive: true });
      fs.mkdirSync(stage.home, { recursive: true });
      say(`stage ${name} (${stage.image}: this machine's Node ${process.version} stands in for it)`);
      break;
    }
    case 'WORKDIR':
      stage.workdir = text;
      fs.mkdirSync(inStage('.'), { recursive: true });
      break;
    case 'ENV': {
      const [name, ...value] = text.split('=');
      stage.env[name] = value.join('=');
      break;
    }
    case 'COPY': {
      const parts = text.split(/\s+/);
      const from = parts[0].startsWith('--from=') ? stages[parts.shift().slice('--from='.length)] : null;
      const dest = parts.pop();
      // Docker's rules: a directory's contents go into the destination; a file goes into it when it names a
      // directory (ends with / or is .), else it is the destination.
      for (const src of parts) {
        const source = from
          ? path.join(from.dir, path.isAbsolute(src) ? src : path.join(from.workdir, src))
          : path.join(context, src);
        if (!fs.existsSync(source))
          fail(`COPY ${src}: not in ${from ? `stage ${from.name}` : 'the build context'}`);
        const target = inStage(dest);
        if (fs.statSync(source).isDirectory()) fs.cpSync(source, target, { recursive: true });
        else fs.cpSync(source, /\/$|^\.$/.test(dest) ? path.join(target, path.basename(src)) : target);
      }
      say(`  COPY ${text}`);
      break;
    }
    case 'RUN': {
      say(`  RUN ${text}`);
      try {
        // A home of the stage's own: an empty npm cache, as in a fresh image (and the Dockerfile's cleaning
        // of its cache never touches this machine's).
        execSync(expand(text, stage.env), {
          cwd: inStage('.'),
          stdio: ['ignore', 'inherit', 'inherit'],
          env: { ...process.env, ...stage.env, HOME: stage.home },
          shell: '/bin/bash',
        });
      } catch {
        fail(`RUN ${text} (stage ${stage.name})`);
      }
      break;
    }
    case 'USER':
      stage.user = text;
      break;
    case 'ENTRYPOINT':
      stage.entrypoint = JSON.parse(text);
      break;
    case 'CMD':
      stage.cmd = JSON.parse(text);
      break;
    case 'HEALTHCHECK':
      stage.healthcheck = JSON.parse(text.slice(text.indexOf('CMD') + 3).trim());
      break;
    default:
      fail(`unknown instruction ${instruction}`);
  }
}

// The image as the services use it.
const runtime = stage;
if (!runtime.entrypoint || !runtime.cmd) fail('the last stage has no ENTRYPOINT and CMD');
if (runtime.user !== 'node') fail(`the runtime runs as '${runtime.user}', not the unprivileged user node`);
const app = inStage('.');
const run = (argv) =>
  execFileSync(argv[0] === 'node' ? process.execPath : argv[0], argv.slice(1), {
    cwd: app,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...runtime.env },
  });
const help = run([...runtime.entrypoint, '--help']);
if (!help.includes('Usage: ecp-cutover')) fail('the entrypoint does not answer --help');
run([...runtime.entrypoint, runtime.cmd[0], '--help']);
for (const file of [
  'dist/ecp-cutover.mjs',
  'dist/workflows.js',
  'dist/build-info.json',
  'dist/catalog/folders.csv',
]) {
  if (!fs.existsSync(path.join(app, file))) fail(`${file} is missing from the runtime stage`);
}
for (const absent of [
  'node_modules/typescript',
  'node_modules/tsx',
  'node_modules/esbuild',
  'node_modules/vitest',
  'cli',
  'workflows',
  'test',
  '.env',
]) {
  if (fs.existsSync(path.join(app, absent))) fail(`${absent} is in the runtime stage (it must not be)`);
}
const health = runtime.healthcheck;
if (!health || health.slice(0, 3).join(' ') !== 'node bin/ecp-cutover.mjs health')
  fail('no HEALTHCHECK with the health command');
run([...health.slice(0, 3), '--help']);
say(
  `ok: the runtime stage answers --help from dist/ (build ${JSON.parse(fs.readFileSync(path.join(app, 'dist', 'build-info.json'), 'utf8')).buildId}), without compiler, tsx or sources`,
);
if (process.argv.includes('--keep')) say(`kept in ${work}`);
else fs.rmSync(work, { recursive: true, force: true });
