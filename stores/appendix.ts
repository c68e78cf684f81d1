import type { Db } from '../db/connection';
import type { AppendixRow } from '../domain/appendix';
import { hkDate } from '../domain/time';

/** Live folders, grouped by market then by date and code, with the batch that moved each. */
export async function appendixRows(db: Db): Promise<AppendixRow[]> {
  const rows = await db('folders as f')
    .where('f.placement', 'live')
    .select('f.code', 'f.name_en', 'f.name_zh', 'f.market', 'f.live_since', db.raw(`(select r.batch_id from folder_runs r where r.folder_code = f.code and r.kind = 'cutover' and r.status = 'succeeded' order by r.id desc limit 1) as batch_id`))
    .orderBy([{ column: 'f.market' }, { column: 'f.live_since' }, { column: 'f.code' }]);
  return rows.map((r) => ({ market: r.market, folder: r.name_en, folderZh: r.name_zh, code: r.code, dateMoved: hkDate(r.live_since), batch: r.batch_id ?? null }));
}
