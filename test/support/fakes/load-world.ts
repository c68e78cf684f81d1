import type { Db } from '../../../db/connection';
import type { World } from './world';

/** The tables a world fills, emptied first (ids restart at 1, so a record's id is its position). */
const TABLES = [
  'events',
  'drifts',
  'reconcile_passes',
  'notice_attempts',
  'notices',
  'users',
  'participant_sftp_folders',
  'participants',
  'folder_runs',
  'batch_retires',
  'batch_folders',
  'batches',
  'decommission',
  'operator_tokens',
  'operator_roles',
  'oidc_identities',
  'operators',
  'folders',
];

/** Writes `w` to PostgreSQL as the only data there: what the knex stores read in the contract tests. */
export async function loadWorld(db: Db, w: World): Promise<void> {
  await db.raw(`truncate table ${TABLES.join(', ')} restart identity cascade`);
  const names = new Set([
    ...w.operators.map((o) => o.name),
    ...w.batches.flatMap((b) => [b.requestedBy, b.approvedBy ?? []]).flat(),
    ...(w.decommission ? [w.decommission.requestedBy] : []),
  ]);
  if (w.decommission?.approvedBy) names.add(w.decommission.approvedBy);
  const insert = async (table: string, rows: object[]) => {
    if (rows.length) await db(table).insert(rows);
  };
  await insert(
    'operators',
    [...names].map((name) => ({
      name,
      blocked_at: w.operators.find((o) => o.name === name)?.blocked ? new Date() : null,
    })),
  );
  await insert(
    'operator_roles',
    w.operators.flatMap((o) => o.roles.map((role) => ({ operator: o.name, role }))),
  );
  await insert(
    'folders',
    w.folders.map((f) => ({
      code: f.code,
      name_en: f.nameEn,
      name_zh: f.nameZh,
      market: f.market,
      direction: f.direction,
      user_types: f.userTypes,
      cc_function: f.ccFunction,
      placement: f.placement,
      placement_changed_at: f.placementChangedAt,
      live_since: f.liveSince,
      last_failure: f.lastFailure,
      retired_at: f.retiredAt,
    })),
  );
  await insert(
    'batches',
    w.batches.map((b) => ({
      id: b.id,
      name: b.name,
      status: b.status,
      reason: b.reason,
      planned_at: b.plannedAt,
      requested_by: b.requestedBy,
      approved_by: b.approvedBy,
      failure_policy: b.failurePolicy,
      concurrency: b.concurrency,
      started_at: b.startedAt,
      finished_at: b.finishedAt,
    })),
  );
  await insert(
    'batch_folders',
    w.batchFolders.map((m) => ({
      batch_id: m.batchId,
      folder_code: m.folderCode,
      status: m.status,
      step: m.step,
      failure: m.failure,
      active: m.active,
    })),
  );
  await insert(
    'batch_retires',
    w.batchRetires.map((r) => ({
      batch_id: r.batchId,
      folder_code: r.folderCode,
      status: r.status,
      failure: r.failure,
      active: r.active,
    })),
  );
  await insert(
    'folder_runs',
    w.runs.map((r) => ({
      folder_code: r.folderCode,
      batch_id: r.batchId,
      kind: r.kind,
      workflow_id: r.workflowId,
      run_id: r.runId,
      status: r.status,
      step: r.step,
      started_at: r.startedAt,
      finished_at: r.finishedAt,
      freeze_window_ms: r.freezeWindowMs,
      failure: r.failure,
    })),
  );
  await insert(
    'events',
    w.events.map((e) => ({
      at: e.at,
      actor: e.actor,
      entity_type: e.entityType,
      entity_id: e.entityId,
      from_state: e.from,
      to_state: e.to,
      reason: e.reason,
      workflow_id: e.workflowId,
      run_id: e.runId,
      idempotency_key: e.key,
    })),
  );
  await insert(
    'drifts',
    w.drifts.map((d) => ({
      folder_code: d.folderCode,
      kind: d.kind,
      detail: d.detail,
      action: d.action,
      detected_at: d.detectedAt,
      resolved_at: d.resolvedAt,
    })),
  );
  await insert(
    'reconcile_passes',
    w.passes.map((p) => ({
      trigger: p.trigger,
      started_at: p.startedAt,
      finished_at: p.finishedAt,
      folders: 0,
      open_drifts: p.openDrifts,
      new_drifts: 0,
      resolved_drifts: 0,
      unreadable: 0,
    })),
  );
  await insert(
    'participants',
    w.participants.map((p) => ({
      code: p.code,
      name_en: p.nameEn,
      name_zh: p.nameZh,
      user_types: p.userTypes,
      emails: p.emails,
      language: p.language,
    })),
  );
  await insert(
    'users',
    w.users.map((u) => ({
      participant_code: u.participantCode,
      email: u.email,
      role: u.role,
      functions: u.functions,
      sftp_key_registered: u.sftpKeyRegistered,
      ip_registered: u.ipRegistered,
    })),
  );
  await insert(
    'participant_sftp_folders',
    w.sftp.map((s) => ({ participant_code: s.participant, folder_code: s.folder })),
  );
  for (const n of w.notices) {
    const [{ id }] = await db('notices')
      .insert({
        kind: n.kind,
        subject_id: n.subjectId,
        participant_code: n.participant,
        status: n.status,
        recipients: n.recipients,
        folders: JSON.stringify(n.folders),
        sent_at: n.sentAt,
        message_id: n.messageId,
        subject: `${n.kind} ${n.subjectId}`,
        body_text: '',
      })
      .returning('id');
    await insert(
      'notice_attempts',
      n.attempts.map((a) => ({
        notice_id: id,
        attempted_at: a.at,
        outcome: a.outcome,
        smtp_response: a.smtp,
      })),
    );
  }
  const d = w.decommission;
  if (d) {
    await db('decommission').insert({
      id: 'legacy-ecp',
      status: d.status,
      planned_at: d.plannedAt,
      requested_by: d.requestedBy,
      approved_by: d.approvedBy,
      gate: d.gate === null ? null : JSON.stringify(d.gate),
      gate_checked_at: d.gateCheckedAt,
      completed_at: d.completedAt,
    });
  }
}
