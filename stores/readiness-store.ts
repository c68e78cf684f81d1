import type { Db } from '../db/connection';
import type { AudienceUser } from '../domain/audience';
import type { PlatformGateway } from '../platform/gateway';
import { readinessOver, type ReadinessSource, type ReadinessStore } from './readiness';

export type { ReadinessStore };

/**
 * Readiness as the workflows' activities and the application layer read it (stores/readiness.ts computes it):
 * the users it is decided on — Client Connect's, through the gateway, or the imported directory when the
 * platform cannot be read — and a batch's (or a plan's) readiness over the participants in PostgreSQL.
 */
export function createReadinessStore(db: Db, gateway: PlatformGateway): ReadinessStore {
  return readinessOver(createReadinessSource(db), gateway);
}

type Row = Record<string, never>;

/** The catalog's folders and the imported directory in PostgreSQL, as readiness reads them. */
export function createReadinessSource(db: Db): ReadinessSource {
  return {
    async folders(scope) {
      const rows: Row[] =
        'batch' in scope
          ? await db('batch_folders as bf')
              .join('folders as f', 'f.code', 'bf.folder_code')
              .where('bf.batch_id', scope.batch)
              .orderBy('f.code')
              .select('f.code', 'f.name_en', 'f.user_types', 'f.cc_function')
          : await db('folders as f')
              .whereIn('f.code', scope.folders)
              .orderBy('f.code')
              .select('f.code', 'f.name_en', 'f.user_types', 'f.cc_function');
      return rows.map((f) => ({
        code: f.code,
        name: f.name_en,
        userTypes: f.user_types,
        ccFunction: f.cc_function ?? null,
      }));
    },
    async participants(after, limit) {
      const rows: Row[] = await db('participants')
        .where('code', '>', after)
        .orderBy('code')
        .limit(limit)
        .select('code', 'user_types');
      return rows.map((p) => ({ code: p.code, userTypes: p.user_types }));
    },
    async sftp(codes) {
      const rows: Row[] = await db('participant_sftp_folders')
        .whereIn('participant_code', codes)
        .select('participant_code', 'folder_code');
      return rows.map((r) => ({ participant: r.participant_code, folder: r.folder_code }));
    },
    async directoryUsers() {
      const out = new Map<string, AudienceUser[]>();
      for (const u of await db('users')
        .orderBy(['participant_code', 'email'])
        .select('participant_code', 'email', 'role', 'functions', 'sftp_key_registered', 'ip_registered')) {
        out.set(u.participant_code, [
          ...(out.get(u.participant_code) ?? []),
          {
            email: u.email,
            role: u.role,
            functions: u.functions,
            sftpKeyRegistered: u.sftp_key_registered,
            ipRegistered: u.ip_registered,
          },
        ]);
      }
      return out;
    },
    async hasUsers() {
      return Boolean(await db('users').first('email'));
    },
    async record(batchId, moment, r) {
      await db('batch_readiness')
        .insert({
          batch_id: batchId,
          moment,
          affected: r.affected,
          not_ready: r.notReady,
          source: r.source,
          read_at: db.fn.now(),
        })
        .onConflict(['batch_id', 'moment'])
        .merge();
    },
  };
}
