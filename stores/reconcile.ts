import { randomUUID } from 'node:crypto';
import type { Db } from '../db/connection';
import { classifyDrift, type Drift, type DriftKind, type FolderRecord } from '../domain/drift';
import type { PlatformName } from '../domain/intake-rules';
import { isPlacement } from '../domain/placement';
import { PlatformRefusal, type FolderState, type PlatformGateway } from '../platform/gateway';
import { appendEvent } from './events';
import { rowsOf } from '../db/connection';

/**
 * One reconciler pass (issue 18): each folder's record against both platforms' actual state, through the
 * gateway. A folder whose record changes while its platforms are read (a batch moving it) is skipped for this
 * pass: it is read twice, in one statement each time, around the platform reads. Differences are classified
 * by domain/drift.ts; "open on both" is closed at once on the side the record does not name; every drift is
 * an episode in `drifts` (opened and resolved by passes, with an event each) and mailed once when it opens
 * and once when it clears. Nothing else is changed.
 */
export interface ReconcileDeps {
  db: Db;
  gateway: PlatformGateway;
  /** Is this cutover/switch-back workflow run still running? Throws when Temporal cannot say. */
  isMoving(run: { workflowId: string; runId: string }): Promise<boolean>;
  /** Mails the platform team; absent: no alerts (OPS_ALERT_EMAIL unset). */
  alert?(mail: { id: string; subject: string; text: string }): Promise<void>;
}

export type ReconcileTrigger = 'schedule' | 'on_demand' | 'drill';

export interface DriftView {
  folder: string;
  kind: DriftKind;
  detail: string;
  action: string | null;
  detectedAt: string;
  resolvedAt: string | null;
}

export interface ReconcileReport {
  trigger: ReconcileTrigger;
  startedAt: string;
  durationMs: number;
  folders: number;
  /** Folders moving right now (a workflow runs) or whose record changed during the read: looked at next pass. */
  moving: string[];
  /** Folders a platform could not be read for: their drifts stay as they were. */
  unreadable: { folder: string; error: string }[];
  detected: DriftView[];
  resolved: DriftView[];
  /** Every drift open after this pass (the ones detected before included). */
  open: DriftView[];
  /** Why the alert mails could not go out (the next pass tries again), or null. */
  alertMailError: string | null;
}

const ACTOR = 'reconciler';
const PLATFORM_NAMES: Record<PlatformName, string> = { legacy: 'legacy', ecp2: 'ECP 2.0' };

/** The record of one folder and its running moves, in one statement (a consistent snapshot); `lock`: FOR SHARE. */
async function recordOf(db: Db, code: string, lock = false) {
  const { rows } = await db.raw(
    `select f.placement, f.retired_at,
       coalesce((select json_agg(json_build_object('workflowId', r.workflow_id, 'runId', r.run_id) order by r.id)
                 from folder_runs r where r.folder_code = f.code and r.status = 'running'), '[]'::json) as runs
     from folders f where f.code = ?${lock ? ' for share of f' : ''}`, [code]);
  const r = rows[0] as { placement: string; retired_at: Date | null; runs: { workflowId: string; runId: string }[] } | undefined;
  return r ? { placement: r.placement, retiredAt: r.retired_at ? r.retired_at.toISOString() : null, runs: r.runs } : null;
}

async function stateOf(gateway: PlatformGateway, platform: PlatformName, code: string): Promise<FolderState | null> {
  try {
    const s = await gateway.folderState(platform, code);
    return s.exists ? s : null;
  } catch (err) {
    if (err instanceof PlatformRefusal && err.status === 404) return null;
    throw err;
  }
}

export const toDriftView = (r: { folder_code: string; kind: string; detail: string; action: string | null; detected_at: Date; resolved_at: Date | null }): DriftView => ({
  folder: r.folder_code, kind: r.kind as DriftKind, detail: r.detail, action: r.action, detectedAt: r.detected_at.toISOString(), resolvedAt: r.resolved_at?.toISOString() ?? null,
});

/** One pass at a time (the Schedule's and one asked for): a later one waits for the earlier to end. */
const PASS_LOCK = 0x45435052; // 'ECPR'

export async function reconcilePass(deps: ReconcileDeps, trigger: ReconcileTrigger): Promise<ReconcileReport> {
  const lock = await deps.db.transaction();
  try {
    await lock.raw('select pg_advisory_xact_lock(?)', [PASS_LOCK]);
    return await onePass(deps, trigger);
  } finally {
    await lock.commit();
  }
}

async function onePass(deps: ReconcileDeps, trigger: ReconcileTrigger): Promise<ReconcileReport> {
  const { db, gateway } = deps;
  const started = new Date();
  const pass = randomUUID();
  const codes: string[] = await db('folders').orderBy('code').pluck('code');
  const report: ReconcileReport = { trigger, startedAt: started.toISOString(), durationMs: 0, folders: codes.length, moving: [], unreadable: [], detected: [], resolved: [], open: [], alertMailError: null };

  const one = async (code: string) => {
    const before = await recordOf(db, code);
    if (!before || !isPlacement(before.placement)) return;
    let legacy: FolderState | null;
    let ecp2: FolderState | null;
    let moving = false;
    try {
      [legacy, ecp2] = await Promise.all([stateOf(gateway, 'legacy', code), stateOf(gateway, 'ecp2', code)]);
      for (const run of before.runs) if (await deps.isMoving(run)) moving = true;
    } catch (err) {
      report.unreadable.push({ folder: code, error: (err as Error).message });
      return;
    }
    const after = await recordOf(db, code);
    if (moving || JSON.stringify(after) !== JSON.stringify(before)) {
      report.moving.push(code);
      return;
    }
    const record: FolderRecord = { code, placement: before.placement, retiredAt: before.retiredAt };
    const drifts = classifyDrift(record, legacy, ecp2);
    // I1 first: close the side the record does not name, before anything is written — holding the folder's row
    // (a move's begin takes it for update, so none starts meanwhile) and with the record read once more under it.
    const actions = new Map<Drift, string>();
    for (const d of drifts.filter((x) => x.close)) {
      const acted = await db.transaction(async (trx) => {
        if (JSON.stringify(await recordOf(trx, code, true)) !== JSON.stringify(before)) return false;
        try {
          await gateway.disable(d.close!, code);
          actions.set(d, `closed_${d.close}`);
        } catch (err) {
          actions.set(d, 'close_failed');
          d.detail += ` (closing ${PLATFORM_NAMES[d.close!]} failed: ${(err as Error).message})`;
        }
        return true;
      });
      if (!acted) {
        report.moving.push(code);
        return;
      }
    }
    await db.transaction(async (trx) => {
      const open = await trx('drifts').where({ folder_code: code }).whereNull('resolved_at').forUpdate().select('*');
      const now = new Date();
      for (const d of drifts) {
        if (open.some((o) => o.kind === d.kind)) continue;
        const action = actions.get(d) ?? null;
        // "Open on both", once closed, is over: the episode opens and resolves in this pass.
        const resolvedAt = action?.startsWith('closed_') ? now : null;
        const [row] = await trx('drifts').insert({ folder_code: code, kind: d.kind, detail: d.detail, action, detected_at: now, resolved_at: resolvedAt }).returning('*');
        await appendEvent(trx, { key: `reconcile/${pass}/${code}/${d.kind}/detected`, actor: ACTOR, entityType: 'folder', entityId: code, to: 'drift_detected', reason: d.detail, data: { kind: d.kind, action } });
        report.detected.push(toDriftView(row));
      }
      for (const o of open) {
        if (drifts.some((d) => d.kind === o.kind)) continue;
        const [row] = await trx('drifts').where({ id: o.id }).update({ resolved_at: now }).returning('*');
        await appendEvent(trx, { key: `reconcile/${pass}/${code}/${o.kind}/resolved`, actor: ACTOR, entityType: 'folder', entityId: code, to: 'drift_resolved', reason: `no longer seen: ${o.detail}`, data: { kind: o.kind } });
        report.resolved.push(toDriftView(row));
      }
    });
  };

  // A few folders at a time: each is two platform reads and four small queries.
  const queue = [...codes];
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (let code = queue.shift(); code !== undefined; code = queue.shift()) await one(code);
  }));

  const open = await db('drifts').whereNull('resolved_at').orderBy(['folder_code', 'kind']).select('*');
  report.open = open.map(toDriftView);
  report.durationMs = Date.now() - started.getTime();
  await db('reconcile_passes').insert({
    trigger, started_at: started, finished_at: new Date(), folders: codes.length, open_drifts: open.length,
    new_drifts: report.detected.length, resolved_drifts: report.resolved.length, unreadable: report.unreadable.length,
  });
  await updateAlerts(db);
  // A mail server that is down is tried again by the next pass: the pass itself stands.
  if (deps.alert) await sendAlerts(db, deps.alert).catch((err: Error) => (report.alertMailError = err.message));
  return report;
}

/**
 * The other conditions the platform team is told of (issue 18), as episodes in `alerts`: a folder whose move
 * failed or was compensated (until a later move of it succeeds), a batch blocked on readiness, a blocked
 * decommission (until their status changes). Opened and resolved here, by each pass.
 */
async function updateAlerts(db: Db): Promise<void> {
  const runs = await rowsOf<Record<string, string>>(db, `select r.id, r.folder_code, r.kind, r.status, r.failure, r.batch_id from folder_runs r
      where r.status in ('compensated', 'failed')
        and not exists (select 1 from folder_runs later where later.folder_code = r.folder_code and later.id > r.id and later.status = 'succeeded')`);
  const batches = await rowsOf<Record<string, string>>(db, `select id from batches where status = 'blocked_on_readiness'`);
  const decommission = await rowsOf<Record<string, string>>(db, `select status from decommission where status = 'blocked'`);
  const now: { kind: string; subject: string; detail: string }[] = [
    ...runs.map((r) => ({
      kind: r.status === 'failed' ? 'folder_failed' : 'folder_compensated',
      subject: `run:${r.id}`,
      detail: `the ${r.kind} of ${r.folder_code}${r.batch_id ? ` (batch ${r.batch_id})` : ''} was ${r.status}: ${r.failure ?? 'no reason recorded'}`,
    })),
    ...batches.map((b) => ({ kind: 'batch_blocked', subject: `batch:${b.id}`, detail: `batch ${b.id} is blocked on readiness: see 'ecp-cutover readiness ${b.id}'` })),
    ...decommission.map(() => ({ kind: 'decommission_blocked', subject: 'decommission', detail: "the decommission of legacy ECP is blocked by its gate: see 'ecp-cutover decommission status'" })),
  ];
  await db.transaction(async (trx) => {
    const open = await trx('alerts').whereNull('resolved_at').forUpdate().select('id', 'subject');
    for (const a of now) if (!open.some((o) => o.subject === a.subject)) await trx('alerts').insert(a);
    const gone = open.filter((o) => !now.some((a) => a.subject === o.subject)).map((o) => o.id);
    if (gone.length) await trx('alerts').whereIn('id', gone).update({ resolved_at: trx.fn.now() });
  });
}

/**
 * Mails each episode (a drift, or another alert) once when it opens and once when it clears. The mark is
 * written after the mail went out: a crash in between mails that episode again (with the same Message-ID),
 * never not at all.
 */
async function sendAlerts(db: Db, alert: NonNullable<ReconcileDeps['alert']>): Promise<void> {
  const episodes = [
    { table: 'drifts', at: 'detected_at', what: (d: Record<string, never>) => `drift on ${d.folder_code}: ${String(d.kind).replace(/_/g, ' ')}`,
      next: (d: Record<string, never>) => (d.action && String(d.action).startsWith('closed_') ? ' The side the record does not name was closed; nothing more to do unless it happens again.' : ` Nothing was changed: decide which side is right (ecp-cutover folder ${d.folder_code}), then 'ecp-cutover folder repair ${d.folder_code} --to legacy|live --reason ...' (a second operator approves).`) },
    { table: 'alerts', at: 'opened_at', what: (a: Record<string, never>) => `${String(a.kind).replace(/_/g, ' ')}: ${a.subject}`, next: () => '' },
  ] as const;
  for (const e of episodes) {
    for (const d of await db(e.table).whereNull('alerted_at').orderBy('id').select('*')) {
      // An episode that opened and closed within one pass ("open on both", closed at once) is one mail.
      const closed = d.resolved_at !== null;
      await alert({ id: `${e.table}-${d.id}-opened`, subject: `[ECP cutover] ${e.what(d)}${closed ? ' (closed at once)' : ''}`, text: `${d.detail}\n\nSeen ${d[e.at].toISOString()} by the reconciler.${e.next(d)}\n` });
      await db(e.table).where({ id: d.id }).update({ alerted_at: new Date(), ...(closed ? { resolution_alerted_at: new Date() } : {}) });
    }
    for (const d of await db(e.table).whereNotNull('resolved_at').whereNotNull('alerted_at').whereNull('resolution_alerted_at').orderBy('id').select('*')) {
      await alert({ id: `${e.table}-${d.id}-resolved`, subject: `[ECP cutover] resolved: ${e.what(d)}`, text: `No longer seen at ${d.resolved_at.toISOString()}: ${d.detail}\n` });
      await db(e.table).where({ id: d.id }).update({ resolution_alerted_at: new Date() });
    }
  }
}

/** Open drifts, by folder (for the folder views and the decommission gate). */
export async function openDrifts(db: Db, codes?: string[]): Promise<Map<string, DriftKind[]>> {
  const q = db('drifts').whereNull('resolved_at').orderBy(['folder_code', 'kind']).select('folder_code', 'kind');
  const rows: { folder_code: string; kind: DriftKind }[] = await (codes ? q.whereIn('folder_code', codes) : q);
  const by = new Map<string, DriftKind[]>();
  for (const r of rows) by.set(r.folder_code, [...(by.get(r.folder_code) ?? []), r.kind]);
  return by;
}
