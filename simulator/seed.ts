import fs from 'node:fs';
import type { Knex } from 'knex';
import { parseCatalog } from '../domain/catalog';

/** What a simulated platform knows of a folder: the rules its intake applies. */
export interface PlatformFolder {
  code: string;
  name?: string;
  ccFunction: string | null;
  filenamePattern: string;
  direction: 'submit' | 'download' | 'both';
  inputDateMeaning: string;
  /** Where it starts: on legacy (closed on ECP 2.0), born on ECP 2.0 (no legacy side), or retired (legacy only). */
  start: 'legacy' | 'new_on_2_0' | 'retired';
}

/**
 * The simulated platforms start as the real ones did: a legacy folder open on legacy and closed on ECP 2.0; a
 * folder born on ECP 2.0 has no legacy side; a retired folder still takes submissions on legacy until its
 * retirement (with its batch, or at the decommission). Idempotent: what a folder is gets refreshed, where it is
 * open never (a cutover moved it; a restart must not move it back).
 */
export async function addPlatformFolders(db: Knex, folders: PlatformFolder[]): Promise<void> {
  const rules = (f: PlatformFolder) => ({
    name: f.name ?? '',
    cc_function: f.ccFunction,
    filename_pattern: f.filenamePattern,
    direction: f.direction,
    input_date_meaning: f.inputDateMeaning,
  });
  const refreshed = ['name', 'cc_function', 'filename_pattern', 'direction', 'input_date_meaning'];
  for (let i = 0; i < folders.length; i += 500) {
    const slice = folders.slice(i, i + 500);
    const legacy = slice
      .filter((f) => f.start !== 'new_on_2_0')
      .map((f) => ({ code: f.code, ...rules(f), intake: 'open', visible: true }));
    const ecp2 = slice
      .filter((f) => f.start !== 'retired')
      .map((f) => ({
        code: f.code,
        ...rules(f),
        intake: f.start === 'new_on_2_0' ? 'open' : 'closed',
        visible: f.start === 'new_on_2_0',
      }));
    if (legacy.length) await db('sim_legacy.folders').insert(legacy).onConflict('code').merge(refreshed);
    if (ecp2.length) await db('sim_ecp2.folders').insert(ecp2).onConflict('code').merge(refreshed);
  }
}

/** The catalog's folders on both platforms (the rows that are not ECP folders are skipped, as the seed does). */
export async function seedPlatformFolders(db: Knex, catalogPath: string): Promise<number> {
  const { folders } = parseCatalog(fs.readFileSync(catalogPath, 'utf8'));
  await addPlatformFolders(
    db,
    folders.map((f) => ({
      code: f.code,
      name: f.nameEn,
      ccFunction: f.ccFunction,
      filenamePattern: f.filenamePattern,
      direction: f.direction,
      inputDateMeaning: f.inputDateMeaning,
      start: f.placement,
    })),
  );
  return folders.length;
}
