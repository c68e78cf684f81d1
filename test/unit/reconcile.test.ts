import { describe, expect, it } from 'vitest';
import type { Drift } from '../../domain/drift';
import {
  alertChanges,
  alertConditions,
  episodeChanges,
  finding,
  leaveForNextPass,
  type FolderSnapshot,
} from '../../domain/reconcile';
import { openingMail, resolutionMail, type Episode } from '../../domain/reconcile-mail';

const now = new Date('2022-06-06T01:00:00Z');
const snap = (over: Partial<FolderSnapshot> = {}): FolderSnapshot => ({
  placement: 'live',
  retiredAt: null,
  runs: [],
  ...over,
});
const bothOpen: Drift = {
  kind: 'open_on_both',
  detail: 'open on legacy and on ECP 2.0 while the record says live: closing legacy',
  close: 'legacy',
};
const frozen: Drift = {
  kind: 'closed_where_recorded',
  detail: 'legacy is frozen and ECP 2.0 closed: participants are refused everywhere',
};

describe('which folders a pass leaves for the next one', () => {
  it('a folder whose move still runs, or whose record changed while its platforms were read', () => {
    expect(leaveForNextPass(snap(), snap(), false)).toBe(false);
    expect(leaveForNextPass(snap(), snap(), true)).toBe(true);
    expect(leaveForNextPass(snap(), snap({ placement: 'rolling_back' }), false)).toBe(true);
    expect(
      leaveForNextPass(snap(), snap({ runs: [{ workflowId: 'rollback-SD2', runId: 'r1' }] }), false),
    ).toBe(true);
    expect(leaveForNextPass(snap(), null, false)).toBe(true);
  });
});

describe('what a pass records of each drift', () => {
  it('"open on both" closed at once, or its close failed (said in the detail); nothing done about the rest', () => {
    expect(finding(bothOpen, { ok: true })).toEqual({
      kind: 'open_on_both',
      detail: bothOpen.detail,
      action: 'closed_legacy',
    });
    expect(finding(bothOpen, { ok: false, error: '503 Service Unavailable' })).toEqual({
      kind: 'open_on_both',
      detail: `${bothOpen.detail} (closing legacy failed: 503 Service Unavailable)`,
      action: 'close_failed',
    });
    expect(finding({ ...bothOpen, close: 'ecp2' }, { ok: false, error: 'x' }).detail).toMatch(
      /closing ECP 2\.0 failed: x\)$/,
    );
    expect(finding(frozen, null)).toEqual({
      kind: 'closed_where_recorded',
      detail: frozen.detail,
      action: null,
    });
  });
});

describe('episodeChanges: one open episode per folder and kind', () => {
  const open = [
    { id: 7, kind: 'closed_where_recorded' as const, detail: 'old' },
    { id: 8, kind: 'legacy_visibility' as const, detail: 'shows' },
  ];

  it('opens what is new, keeps what is still seen, resolves what is gone', () => {
    const changes = episodeChanges(
      open,
      [finding(frozen, null), { kind: 'missing_on_platform', detail: 'gone', action: null }],
      now,
    );
    expect(changes.open).toEqual([
      { kind: 'missing_on_platform', detail: 'gone', action: null, resolvedAt: null },
    ]);
    expect(changes.resolve).toEqual([open[1]]);
  });

  it('"open on both", once closed, opens and resolves in the same pass; a failed close stays open', () => {
    expect(episodeChanges([], [finding(bothOpen, { ok: true })], now).open).toEqual([
      expect.objectContaining({ kind: 'open_on_both', resolvedAt: now }),
    ]);
    expect(episodeChanges([], [finding(bothOpen, { ok: false, error: 'x' })], now).open).toEqual([
      expect.objectContaining({ action: 'close_failed', resolvedAt: null }),
    ]);
  });

  it('changes nothing for a clean folder with nothing open', () => {
    expect(episodeChanges([], [], now)).toEqual({ open: [], resolve: [] });
  });
});

describe('alerts beyond drift', () => {
  const facts = {
    unsettledRuns: [
      {
        id: 41,
        folderCode: 'SD3',
        kind: 'cutover',
        status: 'compensated' as const,
        failure: 'enable refused',
        batchId: 'B2',
      },
      {
        id: 42,
        folderCode: 'SD4',
        kind: 'rollback',
        status: 'failed' as const,
        failure: null,
        batchId: null,
      },
    ],
    blockedBatches: ['B5'],
    decommissionBlocked: true,
  };

  it('names each condition by its subject, with what to do', () => {
    expect(alertConditions(facts)).toEqual([
      {
        kind: 'folder_compensated',
        subject: 'run:41',
        detail: 'the cutover of SD3 (batch B2) was compensated: enable refused',
      },
      {
        kind: 'folder_failed',
        subject: 'run:42',
        detail: 'the rollback of SD4 was failed: no reason recorded',
      },
      {
        kind: 'batch_blocked',
        subject: 'batch:B5',
        detail: "batch B5 is blocked on readiness: see 'ecp-cutover readiness B5'",
      },
      {
        kind: 'decommission_blocked',
        subject: 'decommission',
        detail:
          "the decommission of legacy ECP is blocked by its gate: see 'ecp-cutover decommission status'",
      },
    ]);
    expect(alertConditions({ unsettledRuns: [], blockedBatches: [], decommissionBlocked: false })).toEqual(
      [],
    );
  });

  it('opens an episode per new subject and resolves those whose condition ended', () => {
    const conditions = alertConditions(facts);
    const changes = alertChanges(
      [
        { id: 1, subject: 'run:41' },
        { id: 2, subject: 'batch:B1' },
      ],
      conditions,
    );
    expect(changes.open.map((a) => a.subject)).toEqual(['run:42', 'batch:B5', 'decommission']);
    expect(changes.resolve).toEqual([2]);
  });
});

describe('the mails the platform team gets', () => {
  const at = new Date('2022-06-06T01:02:03Z');
  const drift = (over: Partial<Extract<Episode, { table: 'drifts' }>> = {}): Episode => ({
    table: 'drifts',
    id: 5,
    folderCode: 'SD3',
    kind: 'closed_where_recorded',
    detail: 'legacy is frozen',
    action: null,
    at,
    resolvedAt: null,
    ...over,
  });

  it('a drift nothing was done about: what to decide and the repair command', () => {
    expect(openingMail(drift())).toEqual({
      id: 'drifts-5-opened',
      subject: '[ECP cutover] drift on SD3: closed where recorded',
      text: "legacy is frozen\n\nSeen 2022-06-06T01:02:03.000Z by the reconciler. Nothing was changed: decide which side is right (ecp-cutover folder SD3), then 'ecp-cutover folder repair SD3 --to legacy|live --reason ...' (a second operator approves).\n",
    });
  });

  it('"open on both" closed at once: one mail that says so', () => {
    const m = openingMail(drift({ kind: 'open_on_both', action: 'closed_legacy', resolvedAt: at }));
    expect(m.subject).toBe('[ECP cutover] drift on SD3: open on both (closed at once)');
    expect(m.text).toMatch(
      /The side the record does not name was closed; nothing more to do unless it happens again\.\n$/,
    );
  });

  it('another alert, and the resolution of either', () => {
    const alert: Episode = {
      table: 'alerts',
      id: 9,
      kind: 'batch_blocked',
      subject: 'batch:B5',
      detail: 'batch B5 is blocked',
      at,
      resolvedAt: null,
    };
    expect(openingMail(alert)).toEqual({
      id: 'alerts-9-opened',
      subject: '[ECP cutover] batch blocked: batch:B5',
      text: 'batch B5 is blocked\n\nSeen 2022-06-06T01:02:03.000Z by the reconciler.\n',
    });
    const cleared = new Date('2022-06-06T02:00:00Z');
    expect(resolutionMail({ ...alert, resolvedAt: cleared })).toEqual({
      id: 'alerts-9-resolved',
      subject: '[ECP cutover] resolved: batch blocked: batch:B5',
      text: 'No longer seen at 2022-06-06T02:00:00.000Z: batch B5 is blocked\n',
    });
    expect(resolutionMail(drift({ resolvedAt: cleared })).subject).toBe(
      '[ECP cutover] resolved: drift on SD3: closed where recorded',
    );
  });
});
