import type { BatchView, DriftView, EventView, FolderRunView, FolderView } from '../contract/views';
import type { BatchRow } from '../stores/batch-read';
import type { DriftRow } from '../stores/drift-store';
import type { EventRow } from '../stores/event-store';
import type { FolderRow, FolderRunRow } from '../stores/folder-store';

/**
 * The stores' rows as the control API carries them (contract/views.ts): instants as ISO-8601 strings (UTC),
 * only the fields the contract names. The stores know nothing of the contract; this is the one place a row
 * becomes a payload.
 */

/** An instant as the API carries it. */
export const iso = (at: Date | null): string | null => (at ? at.toISOString() : null);

export const toFolderView = (f: FolderRow): FolderView => ({
  code: f.code,
  nameEn: f.nameEn,
  nameZh: f.nameZh,
  market: f.market,
  direction: f.direction,
  userTypes: f.userTypes,
  ccFunction: f.ccFunction,
  placement: f.placement,
  placementChangedAt: f.placementChangedAt.toISOString(),
  liveSince: iso(f.liveSince),
  lastFailure: f.lastFailure,
  plannedBatch: f.plannedBatch
    ? {
        id: f.plannedBatch.id,
        plannedAt: f.plannedBatch.plannedAt.toISOString(),
        status: f.plannedBatch.status,
      }
    : null,
  drifts: f.drifts,
});

export const toRunView = (r: FolderRunRow): FolderRunView => ({
  kind: r.kind,
  batchId: r.batchId,
  workflowId: r.workflowId,
  status: r.status,
  step: r.step,
  startedAt: r.startedAt.toISOString(),
  finishedAt: iso(r.finishedAt),
  freezeWindowMs: r.freezeWindowMs,
  failure: r.failure,
});

export const toEventView = (e: EventRow): EventView => ({
  id: e.id,
  at: e.at.toISOString(),
  actor: e.actor,
  entityType: e.entityType,
  entityId: e.entityId,
  from: e.from,
  to: e.to,
  reason: e.reason,
  workflowId: e.workflowId,
});

export const toDriftView = (d: DriftRow): DriftView => ({
  folder: d.folderCode,
  kind: d.kind,
  detail: d.detail,
  action: d.action,
  detectedAt: d.detectedAt.toISOString(),
  resolvedAt: iso(d.resolvedAt),
});

export const toBatchView = (b: BatchRow): BatchView => ({
  id: b.id,
  name: b.name,
  status: b.status,
  reason: b.reason,
  plannedAt: b.plannedAt.toISOString(),
  requestedBy: b.requestedBy,
  approvedBy: b.approvedBy,
  failurePolicy: b.failurePolicy,
  concurrency: b.concurrency,
  startedAt: iso(b.startedAt),
  finishedAt: iso(b.finishedAt),
  folders: b.folders.map((f) => ({
    code: f.code,
    name: f.name,
    status: f.status,
    step: f.step,
    failure: f.failure,
    freezeWindowMs: f.freezeWindowMs,
  })),
  // When it was retired is this batch's to say only once it retired it.
  retires: b.retires.map((f) => ({
    code: f.code,
    name: f.name,
    status: f.status,
    failure: f.failure,
    retiredAt: f.status === 'retired' ? iso(f.retiredAt) : null,
  })),
});
