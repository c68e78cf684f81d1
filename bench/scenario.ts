import type { Db } from '../db/connection';
import { USER_TYPES } from '../domain/directory';
import { addPlatformFolders } from '../simulator/seed';

/**
 * Synthetic legacy folders (T<prefix>0001…) in the catalog and on both simulated platforms, for batches
 * larger than the real catalog (the simulator must have started on `db`: its schemas are its own). Folder i serves `userTypes(i)` (by default every user type in turn, so that
 * a large batch concerns every firm) and keeps the function EU_ECPCASH.
 */
export async function addSyntheticFolders(
  db: Db,
  prefix: string,
  n: number,
  userTypes: (i: number) => string[] = (i) => [USER_TYPES[i % USER_TYPES.length]],
): Promise<string[]> {
  const codes = Array.from(
    { length: n },
    (_, i) => `T${prefix}${String(i + 1).padStart(n > 999 ? 4 : 3, '0')}`,
  );
  for (let i = 0; i < n; i += 500) {
    const slice = codes.slice(i, i + 500);
    await db('folders').insert(
      slice.map((code, k) => ({
        code,
        name_en: `Test folder ${code}`,
        name_zh: `測試文件夾 ${code}`,
        market: 'Test',
        direction: 'submit',
        user_types: userTypes(i + k),
        cc_function: 'EU_ECPCASH',
        filename_pattern: 'T_{PID5}_{YYYYMMDD}.csv',
        placement: 'legacy',
      })),
    );
    // The simulator's side, as its own code writes it (the harness runs the simulator on this database).
    await addPlatformFolders(
      db,
      slice.map((code) => ({
        code,
        ccFunction: 'EU_ECPCASH',
        filenamePattern: '',
        direction: 'submit',
        inputDateMeaning: '',
        start: 'legacy',
      })),
    );
  }
  return codes;
}
