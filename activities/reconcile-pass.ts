import { randomUUID } from 'node:crypto';
import { classifyDrift, type Drift } from '../domain/drift';
import type { PlatformName } from '../domain/intake-rules';
import { isPlacement } from '../domain/placement';
import {
  alertChanges,
  alertConditions,
  episodeChanges,
  finding,
  leaveForNextPass,
  type Finding,
  type ReconcileTrigger,
} from '../domain/reconcile';
import { openingMail, resolutionMail, type AlertMail } from '../domain/reconcile-mail';
import { PlatformRefusal, type FolderState, type PlatformGateway } from '../platform/gateway';
import type { AlertStore } from '../stores/alert-store';
import type { DriftView, ReconcileStore } from '../stores/reconcile';

/**
 * One reconciler pass (issue 18): each folder's record against both platforms' actual state, through the
 * gateway. A folder whose record changes while its platforms are read (a batch moving it) is skipped for this
 * pass: it is read twice, in one statement each time, around the platform reads. Differences are classified
 * by domain/drift.ts; "open on both" is closed at once on the side the record does not name; every drift is
 * an episode (opened and resolved by passes, with an event each) and mailed once when it opens and once when
 * it clears. Nothing else is changed. What is decided is domain/reconcile.ts; what is done is here.
 */
export interface ReconcileDeps {
  drifts: ReconcileStore;
  alerts: AlertStore;
  gateway: PlatformGateway;
  /** Is this cutover/switch-back workflow run still running? Throws when Temporal cannot say. */
  isMoving(run: { workflowId: string; runId: string }): Promise<boolean>;
  /** Mails the platform team; absent: no alerts (OPS_ALERT_EMAIL unset). */
  alert?(mail: AlertMail): Promise<void>;
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

async function stateOf(
  gateway: PlatformGateway,
  platform: PlatformName,
  code: string,
): Promise<FolderState | null> {
  try {
    const s = await gateway.folderState(platform, code);
    return s.exists ? s : null;
  } catch (err) {
    if (err instanceof PlatformRefusal && err.status === 404) return null;
    throw err;
  }
}

export function reconcilePass(deps: ReconcileDeps, trigger: ReconcileTrigger): Promise<ReconcileReport> {
  return deps.drifts.exclusively(() => onePass(deps, trigger));
}

async function onePass(deps: ReconcileDeps, trigger: ReconcileTrigger): Promise<ReconcileReport> {
  const { drifts: store, gateway } = deps;
  const started = new Date();
  const pass = randomUUID();
  const codes = await store.folderCodes();
  const report: ReconcileReport = {
    trigger,
    startedAt: started.toISOString(),
    durationMs: 0,
    folders: codes.length,
    moving: [],
    unreadable: [],
    detected: [],
    resolved: [],
    open: [],
    alertMailError: null,
  };

  const one = async (code: string) => {
    const before = await store.snapshot(code);
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
    if (leaveForNextPass(before, await store.snapshot(code), moving)) {
      report.moving.push(code);
      return;
    }
    const found = classifyDrift(
      { code, placement: before.placement, retiredAt: before.retiredAt },
      legacy,
      ecp2,
    );
    // I1 first: close the side the record does not name, before anything is written — holding the folder's row
    // (a move's begin takes it for update, so none starts meanwhile) and with the record read once more under it.
    const closing = new Map<Drift, { ok: true } | { ok: false; error: string }>();
    for (const d of found.filter((x) => x.close)) {
      const acted = await store.whileUnchanged(code, before, async () => {
        closing.set(
          d,
          await gateway.disable(d.close!, code).then(
            () => ({ ok: true as const }),
            (err: Error) => ({ ok: false as const, error: err.message }),
          ),
        );
      });
      if (!acted) {
        report.moving.push(code);
        return;
      }
    }
    const findings: Finding[] = found.map((d) => finding(d, closing.get(d) ?? null));
    const recorded = await store.recordEpisodes(code, pass, (open, now) =>
      episodeChanges(open, findings, now),
    );
    report.detected.push(...recorded.detected);
    report.resolved.push(...recorded.resolved);
  };

  // A few folders at a time: each is two platform reads and four small queries.
  const queue = [...codes];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let code = queue.shift(); code !== undefined; code = queue.shift()) await one(code);
    }),
  );

  report.open = await store.openEpisodes();
  report.durationMs = Date.now() - started.getTime();
  await store.recordPass({
    trigger,
    startedAt: started,
    folders: codes.length,
    openDrifts: report.open.length,
    newDrifts: report.detected.length,
    resolvedDrifts: report.resolved.length,
    unreadable: report.unreadable.length,
  });
  const conditions = alertConditions(await deps.alerts.facts());
  await deps.alerts.syncAlerts((open) => alertChanges(open, conditions));
  // A mail server that is down is tried again by the next pass: the pass itself stands.
  if (deps.alert)
    await sendAlerts(deps.alerts, deps.alert).catch((err: Error) => (report.alertMailError = err.message));
  return report;
}

/**
 * Mails each episode (a drift, or another alert) once when it opens and once when it clears. The mark is
 * written after the mail went out: a crash in between mails that episode again (with the same Message-ID),
 * never not at all.
 */
async function sendAlerts(alerts: AlertStore, send: NonNullable<ReconcileDeps['alert']>): Promise<void> {
  for (const table of ['drifts', 'alerts'] as const) {
    for (const e of await alerts.unmailedOpenings(table)) {
      await send(openingMail(e));
      await alerts.markOpeningMailed(e);
    }
    for (const e of await alerts.unmailedResolutions(table)) {
      await send(resolutionMail(e));
      await alerts.markResolutionMailed(e);
    }
  }
}
