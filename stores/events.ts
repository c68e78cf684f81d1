import type { Knex } from 'knex';

/** What the audit trail knows about (docs/architecture.md, "The data model": the audit trail). */
export const EVENT_ENTITY_TYPES = [
  'folder',
  'batch',
  'participant',
  'notice',
  'decommission',
  'system',
  'operator',
] as const;
export type EventEntityType = (typeof EVENT_ENTITY_TYPES)[number];

export interface EventInput {
  /** Stable per change (workflow, run, step; or a command id): a retried write adds nothing. */
  key: string;
  actor: string;
  entityType: EventEntityType;
  entityId: string;
  from?: string | null;
  to?: string | null;
  reason?: string | null;
  workflowId?: string | null;
  runId?: string | null;
  data?: unknown;
  /** For a command: the credential the operator proved their identity with, and where it came from. */
  credentialId?: string | null;
  source?: string | null;
}

/**
 * Appends one event to the audit trail — the only place that writes `events`. Returns false if an event
 * with the same key was written before (by an earlier attempt), in which case nothing is written.
 */
export async function appendEvent(db: Knex | Knex.Transaction, e: EventInput): Promise<boolean> {
  const inserted = await db('events')
    .insert({
      actor: e.actor,
      entity_type: e.entityType,
      entity_id: e.entityId,
      from_state: e.from ?? null,
      to_state: e.to ?? null,
      reason: e.reason ?? null,
      workflow_id: e.workflowId ?? null,
      run_id: e.runId ?? null,
      data: e.data === undefined ? null : JSON.stringify(e.data),
      credential_id: e.credentialId ?? null,
      source: e.source ?? null,
      idempotency_key: e.key,
    })
    .onConflict('idempotency_key')
    .ignore()
    .returning('id');
  return inserted.length > 0;
}

/** The key of an event a workflow writes: unique per workflow run and step. */
export const runKey = (workflowId: string, runId: string, what: string) => `${workflowId}/${runId}/${what}`;
