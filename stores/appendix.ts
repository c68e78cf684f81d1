import type { Db } from '../db/connection';
import type { AppendixRow } from '../domain/appendix';
import { hkDate } from '../domain/time';

/**
 * Live folders, grouped by market then by date and code, with the batch that moved each: the public view
 * `portal.appendix`, the same for the portal, the API and the CLI.
 */
export async function appendixRows(db: Db): Promise<AppendixRow[]> {
  const rows = await db('portal.appendix').orderBy([
    { column: 'market' },
    { column: 'live_since' },
    { column: 'code' },
  ]);
  return rows.map((r) => ({
    market: r.market,
    folder: r.name_en,
    folderZh: r.name_zh,
    code: r.code,
    dateMoved: hkDate(r.live_since),
    batch: r.batch_id ?? null,
    direction: r.direction,
  }));
}

/** Appendix 7.3's rows, as the application layer reads them. */
export interface AppendixStore {
  rows(): Promise<AppendixRow[]>;
}

export const createAppendixStore = (db: Db): AppendixStore => ({ rows: () => appendixRows(db) });
