import { fileURLToPath } from 'node:url';

/**
 * The folder catalog shipped with the tool. A module of its own, with nothing else in it: the command line
 * names it in its help without loading the database code. Built, this resolves to dist/catalog/folders.csv
 * (scripts/build.mjs copies the catalog there).
 */
export const DEFAULT_CATALOG = fileURLToPath(new URL('./catalog/folders.csv', import.meta.url));
