import { run } from './main';

// A closed pipe (e.g. `ecp-cutover folders | head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

// The program: `bin/ecp-cutover.mjs` loads this (built: dist/ecp-cutover.mjs, which `node` also runs directly).
// Exit explicitly: some dependencies install exit hooks that would otherwise replace the exit code.
const code = await run(process.argv);
// Let piped output drain first (a large --json would otherwise be cut).
process.stdout.write('', () => process.exit(code));
