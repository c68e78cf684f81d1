import type { Db } from '../db/connection';
import type { PlatformGateway } from '../platform/gateway';
import { createAppendixStore, type AppendixStore } from './appendix';
import { createBatchReads, type BatchReads } from './batch-read';
import { createDecommissionStore, type DecommissionStore } from './decommission';
import { createDirectoryStore, type DirectoryStore } from './directory-store';
import { createDriftStore, type DriftStore } from './drift-store';
import { createEventStore, type EventStore } from './event-store';
import { createFolderStore, type FolderStore } from './folder-store';
import { createHealthStore, type HealthStore } from './health-store';
import { createMetricsStore, type MetricsStore } from './metrics-store';
import { createOperatorStore, type OperatorStore } from './operator-store';
import { createParticipantStore, type ParticipantStore } from './participant-store';
import { createReadinessStore, type ReadinessStore } from './readiness-store';
import { createRehearsalStore, type RehearsalStore } from './rehearsal-store';
import { createRepairStore, type RepairStore } from './repair-store';
import { createReportStore, type ReportStore } from './report-store';
import { createSessionStore, type SessionStore } from './session-store';

/**
 * What the application layer (and the control API and console around it) reads and writes, each store an
 * interface: the knex implementations below in production, in-memory fakes in unit tests
 * (test/support/fakes/), both held to the same contract tests.
 */
export interface AppStores {
  appendix: AppendixStore;
  batches: BatchReads;
  /** The decommission's row, its notices and its gate's facts (reads only: its workflow writes it). */
  decommission: Pick<DecommissionStore, 'row' | 'noticeCounts' | 'gateFacts'>;
  directory: DirectoryStore;
  drifts: DriftStore;
  events: EventStore;
  folders: FolderStore;
  participants: ParticipantStore;
  readiness: ReadinessStore;
  /** A repair's record (its policy: domain/repair-policy.ts). */
  repairs: Pick<RepairStore, 'record'>;
  /** A batch's report (domain/report.ts). */
  reports: ReportStore;
  /** Rehearsals of batches (reads only: the rehearsal workflow writes them). */
  rehearsals: Pick<RehearsalStore, 'get' | 'ofBatch' | 'latest' | 'report'>;
  // The servers' own: signing in, console sessions, health checks, metrics.
  operators: OperatorStore;
  sessions: SessionStore;
  health: HealthStore;
  metrics: MetricsStore;
}

/** The knex stores over one database (the composition roots build them: the API, the CLI's host-local jobs, tests). */
export function createAppStores(db: Db, gateway: PlatformGateway): AppStores {
  return {
    appendix: createAppendixStore(db),
    batches: createBatchReads(db),
    decommission: createDecommissionStore(db),
    directory: createDirectoryStore(db),
    drifts: createDriftStore(db),
    events: createEventStore(db),
    folders: createFolderStore(db),
    participants: createParticipantStore(db),
    readiness: createReadinessStore(db, gateway),
    repairs: createRepairStore(db),
    reports: createReportStore(db),
    rehearsals: createRehearsalStore(db),
    operators: createOperatorStore(db),
    sessions: createSessionStore(db),
    health: createHealthStore(db),
    metrics: createMetricsStore(db),
  };
}
