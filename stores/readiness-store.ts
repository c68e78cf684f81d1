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
}

export function createReadinessStore(db: Db, gateway: PlatformGateway): ReadinessStore {
  return {
    users: () => readinessUsers(db, gateway),
    ofBatch: (batchId, users, opts) => batchReadiness(db, { batch: batchId }, users, opts),
  };
}
