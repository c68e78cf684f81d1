#!/usr/bin/env node
// The `ecp-cutover` command. The sources are TypeScript, run through tsx's loader (no build step).
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../cli/main.ts');
// Exit explicitly: some dependencies install exit hooks that would otherwise replace the exit code.
const code = await run(process.argv);
// Let piped output drain first (a large --json would otherwise be cut).
process.stdout.write('', () => process.exit(code));
