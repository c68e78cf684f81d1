import { ESLint } from 'eslint';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The walls of eslint.config.js, proved to stand: a tiny file is linted as if it were at a path of the tree,
 * with the repository's own configuration (only its import rule runs, without type information, to stay fast).
 */
const eslint = new ESLint({
  cwd: path.resolve(import.meta.dirname, '../..'),
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
});

async function refusals(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const _x = 1;\n`, { filePath });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('the walls around PostgreSQL (eslint.config.js)', () => {
  it.each([
    ['app/probe.ts', "import knex from 'knex'; void knex;"],
    ['app/probe.ts', "import type { Db } from '../db/connection'; export type D = Db;"],
    ['app/probe.ts', "import { createFolderStore } from '../stores/folder-store'; void createFolderStore;"],
    ['api/probe.ts', "import pg from 'pg'; void pg;"],
    ['console/probe.ts', "import { createDb } from '../db/connection'; void createDb;"],
    [
      'cli/commands/probe.ts',
      "import { createSessionStore } from '../../stores/session-store'; void createSessionStore;",
    ],
    ['cli/context.ts', "import { withDatabase } from '../db/connection'; void withDatabase;"],
    ['activities/probe.ts', "import { createRunStore } from '../stores/run-store'; void createRunStore;"],
    ['activities/probe.ts', "import type { Knex } from 'knex'; export type K = Knex;"],
    [
      'domain/probe.ts',
      "import type { FolderRow } from '../stores/folder-store'; export type F = FolderRow;",
    ],
    ['contract/probe.ts', "import { seedCatalog } from '../db/seed'; void seedCatalog;"],
    ['http/probe.ts', "import knex from 'knex'; void knex;"],
  ])('refuses in %s: %s', async (file, code) => {
    expect(await refusals(file, code)).toEqual([expect.stringMatching(/^no-restricted-imports: /)]);
  });

  it.each([
    [
      'app/probe.ts',
      "import type { FolderStore } from '../stores/folder-store'; export type F = FolderStore;",
    ],
    ['activities/probe.ts', "import { runKey } from '../stores/events'; void runKey;"],
    [
      'cli/commands/probe.ts',
      "import { DEFAULT_CATALOG } from '../../db/catalog-path'; void DEFAULT_CATALOG;",
    ],
    // The CLI's host-local composition roots open a pool themselves.
    ['cli/commands/serve.ts', "import { createDb } from '../../db/connection'; void createDb;"],
    ['cli/commands/db.ts', "import { withDatabase } from '../../db/connection'; void withDatabase;"],
    ['stores/probe.ts', "import knex from 'knex'; void knex;"],
    ['worker/probe.ts', "import { createRunStore } from '../stores/run-store'; void createRunStore;"],
  ])('lets %s: %s', async (file, code) => {
    expect(await refusals(file, code)).toEqual([]);
  });
});
