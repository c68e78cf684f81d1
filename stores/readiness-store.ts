import type { Db } from '../db/connection';
import type { AudienceUser } from '../domain/audience';
import type { PlatformGateway } from '../platform/gateway';
import { batchReadiness, readinessUsers, type BatchReadiness, type BatchReadinessOptions, type UserSource } from './readiness';

/**
 * Readiness as the workflows' activities read it (stores/readiness.ts computes it): the users it is decided
 * on — Client Connect's, through the gateway, or the imported directory when the platform cannot be read —
 * and a batch's readiness over the participants in PostgreSQL.
 */
export interface ReadinessStore {
  users(): Promise<UserSource>;
  ofBatch(batchId: string, users: Map<string, AudienceUser[]>, opts?: BatchReadinessOptions): Promise<BatchReadiness>;
  /** Keeps what a batch read, at its announcement or at its planned instant, for its report (a later reading replaces it). */
  record(batchId: string, moment: 'announcement' | 'instant', r: { affected: number; notReady: number; source: UserSource['source'] }): Promise<void>;
}

export function createReadinessStore(db: Db, gateway: PlatformGateway): ReadinessStore {
  return {
    users: () => readinessUsers(db, gateway),
    ofBatch: (batchId, users, opts) => batchReadiness(db, { batch: batchId }, users, opts),
    async record(batchId, moment, r) {
      await db('batch_readiness')
        .insert({ batch_id: batchId, moment, affected: r.affected, not_ready: r.notReady, source: r.source, read_at: db.fn.now() })
        .onConflict(['batch_id', 'moment']).merge();
    },
  };
}
