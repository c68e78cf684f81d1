import type { BatchFolderStatus } from '../../../domain/batch-lifecycle';
import type { GateItem } from '../../../domain/decommission-lifecycle';
import type { DriftKind } from '../../../domain/drift';
import type { Role } from '../../../domain/operators';
import type { ReconcileTrigger } from '../../../domain/reconcile';
import type { BatchRow } from '../../../stores/batch-read';
import type { FolderRow } from '../../../stores/folder-store';

/**
 * A state of the database as plain records: what the stores' contract tests start from. The knex stores read
 * it after test/support/fakes/load-world.ts wrote it to PostgreSQL; the in-memory fakes (./stores.ts) read it
 * as it is. Ids (events, runs, drifts, notices, attempts) are the records' positions, from 1, as a fresh
 * table numbers them. Only the columns a store reads are here; the builders below fill the rest.
 */
export interface World {
  operators: { name: string; roles: Role[]; blocked?: boolean }[];
  folders: FolderRec[];
  batches: BatchRec[];
  batchFolders: {
    batchId: string;
    folderCode: string;
    status: BatchFolderStatus;
    step: string | null;
    failure: string | null;
    active: boolean;
  }[];
  batchRetires: {
    batchId: string;
    folderCode: string;
    status: 'pending' | 'retired' | 'refused' | 'not_retired';
    failure: string | null;
    active: boolean;
  }[];
  runs: RunRec[];
  events: EventRec[];
  drifts: {
    folderCode: string;
    kind: DriftKind;
    detail: string;
    action: string | null;
    detectedAt: Date;
    resolvedAt: Date | null;
  }[];
  passes: { trigger: ReconcileTrigger; startedAt: Date; finishedAt: Date; openDrifts: number }[];
  participants: {
    code: string;
    nameEn: string;
    nameZh: string;
    userTypes: string[];
    emails: string[];
    language: 'en' | 'zh-Hant' | 'both';
  }[];
  users: {
    participantCode: string;
    email: string;
    role: 'admin' | 'operator';
    functions: string[];
    sftpKeyRegistered: boolean;
    ipRegistered: boolean;
  }[];
  sftp: { participant: string; folder: string }[];
  notices: NoticeRec[];
  decommission: {
    status: string;
    plannedAt: Date;
    requestedBy: string;
    approvedBy: string | null;
    gate: GateItem[] | null;
    gateCheckedAt: Date | null;
    completedAt: Date | null;
  } | null;
}

/** A folder as the catalog has it (the store's row, without what it joins), and when a batch retired it. */
export type FolderRec = Omit<FolderRow, 'plannedBatch' | 'drifts'> & { retiredAt: Date | null };

/** A batch's own row (the store's, without its folders). */
export type BatchRec = Omit<BatchRow, 'folders' | 'retires'>;

export interface RunRec {
  folderCode: string;
  batchId: string | null;
  kind: 'cutover' | 'rollback' | 'repair';
  workflowId: string;
  runId: string;
  status: 'running' | 'succeeded' | 'compensated' | 'failed';
  step: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  freezeWindowMs: number | null;
  failure: string | null;
}

export interface EventRec {
  at: Date;
  actor: string;
  entityType: 'folder' | 'batch' | 'participant' | 'notice' | 'decommission' | 'system' | 'operator';
  entityId: string;
  from: string | null;
  to: string | null;
  reason: string | null;
  workflowId: string | null;
  runId: string | null;
  key: string | null;
}

export interface NoticeRec {
  kind: string;
  subjectId: string;
  participant: string;
  status: 'queued' | 'sending' | 'sent' | 'failed';
  recipients: string[];
  folders: string[];
  sentAt: Date | null;
  messageId: string | null;
  attempts: { at: Date; outcome: 'sent' | 'failed'; smtp: string | null }[];
}

/** An instant `minutes` after 2030-01-07 00:00 UTC (a Monday). */
export const at = (minutes: number) => new Date(Date.UTC(2030, 0, 7) + minutes * 60_000);

export const emptyWorld = (): World => ({
  operators: [],
  folders: [],
  batches: [],
  batchFolders: [],
  batchRetires: [],
  runs: [],
  events: [],
  drifts: [],
  passes: [],
  participants: [],
  users: [],
  sftp: [],
  notices: [],
  decommission: null,
});

/** A world: what is given, nothing else. */
export const world = (parts: Partial<World>): World => ({ ...emptyWorld(), ...parts });

export const folder = (code: string, over: Partial<FolderRec> = {}): FolderRec => ({
  code,
  nameEn: `Folder ${code}`,
  nameZh: `資料夾 ${code}`,
  market: 'Cash',
  direction: 'submit',
  userTypes: ['SEHK_EP'],
  ccFunction: 'EU_ECPCASH',
  placement: 'legacy',
  placementChangedAt: at(0),
  liveSince: null,
  lastFailure: null,
  retiredAt: null,
  ...over,
});

export const batch = (id: string, over: Partial<BatchRec> = {}): BatchRec => ({
  id,
  name: `Batch ${id}`,
  status: 'awaiting_approval',
  reason: null,
  plannedAt: at(60 * 24 * 7),
  requestedBy: 'alice',
  approvedBy: null,
  failurePolicy: 'continue',
  concurrency: 5,
  startedAt: null,
  finishedAt: null,
  ...over,
});

export const member = (
  batchId: string,
  folderCode: string,
  over: Partial<World['batchFolders'][number]> = {},
): World['batchFolders'][number] => ({
  batchId,
  folderCode,
  status: 'pending',
  step: null,
  failure: null,
  active: true,
  ...over,
});

export const run = (folderCode: string, workflowId: string, over: Partial<RunRec> = {}): RunRec => ({
  folderCode,
  batchId: null,
  kind: 'cutover',
  workflowId,
  runId: `${workflowId}-run`,
  status: 'running',
  step: 'begin',
  startedAt: at(1),
  finishedAt: null,
  freezeWindowMs: null,
  failure: null,
  ...over,
});

export const event = (
  entityType: EventRec['entityType'],
  entityId: string,
  over: Partial<EventRec> = {},
): EventRec => ({
  at: at(2),
  actor: 'alice',
  entityType,
  entityId,
  from: null,
  to: null,
  reason: null,
  workflowId: null,
  runId: null,
  key: null,
  ...over,
});

export const drift = (
  folderCode: string,
  kind: DriftKind,
  over: Partial<World['drifts'][number]> = {},
): World['drifts'][number] => ({
  folderCode,
  kind,
  detail: `${kind} on ${folderCode}`,
  action: null,
  detectedAt: at(3),
  resolvedAt: null,
  ...over,
});

export const participant = (
  code: string,
  over: Partial<World['participants'][number]> = {},
): World['participants'][number] => ({
  code,
  nameEn: `Firm ${code} Limited`,
  nameZh: `公司${code}`,
  userTypes: ['SEHK_EP'],
  emails: [`ops${code}@firm.example`],
  language: 'en',
  ...over,
});

export const user = (
  participantCode: string,
  email: string,
  functions: string[],
  over: Partial<World['users'][number]> = {},
): World['users'][number] => ({
  participantCode,
  email,
  role: 'operator',
  functions,
  sftpKeyRegistered: false,
  ipRegistered: false,
  ...over,
});

export const notice = (
  participantCode: string,
  kind: string,
  subjectId: string,
  over: Partial<NoticeRec> = {},
): NoticeRec => ({
  kind,
  subjectId,
  participant: participantCode,
  status: 'queued',
  recipients: [`ops${participantCode}@firm.example`],
  folders: [],
  sentAt: null,
  messageId: null,
  attempts: [],
  ...over,
});
