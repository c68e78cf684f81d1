import { FINAL_BATCH_STATUSES } from '../../../domain/batch-lifecycle';
import type { DriftKind } from '../../../domain/drift';
import { hkDate } from '../../../domain/time';
import type { PlatformGateway } from '../../../platform/gateway';
import type { AppStores } from '../../../stores/app-stores';
import type { BatchRow } from '../../../stores/batch-read';
import { DECOMMISSION_NOTICES } from '../../../stores/decommission';
import type { DriftRow } from '../../../stores/drift-store';
import type { EventRow } from '../../../stores/event-store';
import type { FolderRow } from '../../../stores/folder-store';
import { readinessOver, type ReadinessSource } from '../../../stores/readiness';
import type { World } from './world';

/**
 * In-memory fakes of the application layer's stores, over a World (./world.ts): what the unit tests of app/
 * run on. Each passes the same contract tests as its knex store (test/contracts/app-stores.contract.ts).
 * Text is ordered by code point; PostgreSQL orders by its collation, so the contract's data keep to names
 * whose order is the same either way. Readiness is computed by the same code as in production, over an
 * in-memory source. The servers' own stores (sessions, health, metrics) are not the app layer's: they refuse.
 */
export function fakeAppStores(w: World, gateway: PlatformGateway): AppStores {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const sortBy = <T>(xs: T[], ...keys: ((x: T) => string | number)[]) =>
    [...xs].sort((a, b) => {
      for (const k of keys) {
        const [x, y] = [k(a), k(b)];
        const c = typeof x === 'number' && typeof y === 'number' ? x - y : cmp(String(x), String(y));
        if (c) return c;
      }
      return 0;
    });
  const withIds = <T>(xs: T[]) => xs.map((x, i) => ({ ...x, id: i + 1 }));
  const contains = (text: string, part: string) => text.toLowerCase().includes(part.toLowerCase());
  const openDrifts = (code: string) =>
    sortBy(
      w.drifts.filter((d) => d.folderCode === code && d.resolvedAt === null),
      (d) => d.kind,
    ).map((d) => d.kind);
  const activePlan = (code: string) => w.batchFolders.find((m) => m.folderCode === code && m.active);

  const folderRow = (f: World['folders'][number]): FolderRow => {
    const plan = activePlan(f.code);
    const b = plan && w.batches.find((x) => x.id === plan.batchId);
    return {
      code: f.code,
      nameEn: f.nameEn,
      nameZh: f.nameZh,
      market: f.market,
      direction: f.direction,
      userTypes: f.userTypes,
      ccFunction: f.ccFunction,
      placement: f.placement,
      placementChangedAt: f.placementChangedAt,
      liveSince: f.liveSince,
      lastFailure: f.lastFailure,
      plannedBatch: b ? { id: b.id, plannedAt: b.plannedAt, status: b.status } : null,
      drifts: openDrifts(f.code),
    };
  };
  const eventRow = (e: World['events'][number] & { id: number }): EventRow => ({
    id: e.id,
    at: e.at,
    actor: e.actor,
    entityType: e.entityType,
    entityId: e.entityId,
    from: e.from,
    to: e.to,
    reason: e.reason,
    workflowId: e.workflowId,
  });
  const driftRow = (d: World['drifts'][number] & { id: number }): DriftRow => ({ ...d });
  const batchRow = (b: World['batches'][number]): BatchRow => {
    const name = (code: string) => w.folders.find((f) => f.code === code)!;
    const members = sortBy(
      w.batchFolders.filter((m) => m.batchId === b.id),
      (m) => m.folderCode,
    );
    return {
      ...b,
      // As the SQL's left join does: one line per run of the folder in this batch, or one with no freeze window.
      folders: members.flatMap((m) => {
        const runs = w.runs.filter((r) => r.folderCode === m.folderCode && r.batchId === b.id);
        const line = (freezeWindowMs: number | null) => ({
          code: m.folderCode,
          name: name(m.folderCode).nameEn,
          status: m.status,
          step: m.step,
          failure: m.failure,
          freezeWindowMs,
        });
        return runs.length ? runs.map((r) => line(r.freezeWindowMs)) : [line(null)];
      }),
      retires: sortBy(
        w.batchRetires.filter((r) => r.batchId === b.id),
        (r) => r.folderCode,
      ).map((r) => ({
        code: r.folderCode,
        name: name(r.folderCode).nameEn,
        status: r.status,
        failure: r.failure,
        retiredAt: name(r.folderCode).retiredAt,
      })),
    };
  };
  const noticesWithIds = () => {
    let attempt = 0;
    return w.notices.map((n, i) => ({
      ...n,
      id: i + 1,
      attempts: n.attempts.map((a) => ({ ...a, id: ++attempt })),
    }));
  };

  const source: ReadinessSource = {
    async folders(scope) {
      const codes =
        'batch' in scope
          ? w.batchFolders.filter((m) => m.batchId === scope.batch).map((m) => m.folderCode)
          : scope.folders;
      return sortBy(
        w.folders.filter((f) => codes.includes(f.code)),
        (f) => f.code,
      ).map((f) => ({ code: f.code, name: f.nameEn, userTypes: f.userTypes, ccFunction: f.ccFunction }));
    },
    async participants(after, limit) {
      return sortBy(
        w.participants.filter((p) => p.code > after),
        (p) => p.code,
      )
        .slice(0, limit)
        .map((p) => ({ code: p.code, userTypes: p.userTypes }));
    },
    async sftp(codes) {
      return w.sftp.filter((s) => codes.includes(s.participant));
    },
    async directoryUsers() {
      const out = new Map<string, World['users']>();
      for (const u of sortBy(
        w.users,
        (x) => x.participantCode,
        (x) => x.email,
      ))
        out.set(u.participantCode, [...(out.get(u.participantCode) ?? []), u]);
      return new Map([...out].map(([code, users]) => [code, users.map(({ participantCode: _, ...u }) => u)]));
    },
    async hasUsers() {
      return w.users.length > 0;
    },
    record: () => Promise.reject(new Error('readiness snapshots are not faked: only the workers keep them')),
  };

  const refuse = (what: string) => () =>
    Promise.reject(new Error(`${what} is not faked: the application layer does not use it`));

  return {
    appendix: {
      async rows() {
        const batchOf = (code: string) =>
          [...withIds(w.runs)]
            .reverse()
            .find((r) => r.folderCode === code && r.kind === 'cutover' && r.status === 'succeeded')
            ?.batchId ??
          sortBy(
            w.batchFolders.filter((m) => m.folderCode === code && m.status === 'live'),
            (m) => -w.batches.find((b) => b.id === m.batchId)!.plannedAt.getTime(),
          )[0]?.batchId ??
          null;
        return sortBy(
          w.folders.filter((f) => f.placement === 'live'),
          (f) => f.market,
          (f) => f.liveSince?.getTime() ?? 0,
          (f) => f.code,
        ).map((f) => ({
          market: f.market,
          folder: f.nameEn,
          folderZh: f.nameZh,
          code: f.code,
          dateMoved: hkDate(f.liveSince!),
          batch: batchOf(f.code),
          direction: f.direction,
        }));
      },
    },

    batches: {
      async get(id) {
        const b = w.batches.find((x) => x.id === id);
        return b ? batchRow(b) : undefined;
      },
      async list() {
        return sortBy(w.batches, (b) => -b.plannedAt.getTime()).map(batchRow);
      },
      async exists(id) {
        return w.batches.some((b) => b.id === id);
      },
      async retireFacts(codes) {
        return new Map(
          w.folders
            .filter((f) => codes.includes(f.code))
            .map((f) => [
              f.code,
              {
                placement: f.placement,
                retiredAt: f.retiredAt,
                retireBatch: w.batchRetires.find((r) => r.folderCode === f.code && r.active)?.batchId ?? null,
              },
            ]),
        );
      },
    },

    decommission: {
      async row() {
        return w.decommission ? { ...w.decommission } : undefined;
      },
      async noticeCounts() {
        const counts = new Map<string, { kind: string; subject: string; firms: number }>();
        for (const n of w.notices.filter((x) =>
          (DECOMMISSION_NOTICES as readonly string[]).includes(x.kind),
        )) {
          const key = `${n.kind}\u0000${n.subjectId}`;
          counts.set(key, { kind: n.kind, subject: n.subjectId, firms: (counts.get(key)?.firms ?? 0) + 1 });
        }
        return sortBy(
          [...counts.values()],
          (c) => c.kind,
          (c) => c.subject,
        );
      },
      async gateFacts() {
        const latest = new Map<string, string | null>();
        for (const e of w.events)
          if (
            e.entityType === 'folder' &&
            [
              'rollback_requested',
              'rollback_approved',
              'rollback_rejected',
              'rollback_expired',
              'rollback_cancelled',
            ].includes(e.to ?? '')
          )
            latest.set(e.entityId, e.to);
        const openDrifts = new Map<string, DriftKind[]>();
        for (const d of sortBy(
          w.drifts.filter((x) => x.resolvedAt === null),
          (x) => x.folderCode,
          (x) => x.kind,
        ))
          openDrifts.set(d.folderCode, [...(openDrifts.get(d.folderCode) ?? []), d.kind]);
        return {
          foldersNotMoved: sortBy(
            w.folders.filter((f) => !['live', 'retired', 'new_on_2_0'].includes(f.placement)),
            (f) => f.code,
          ).map((f) => f.code),
          unfinishedBatches: sortBy(
            w.batches.filter((b) => !FINAL_BATCH_STATUSES.includes(b.status)),
            (b) => b.id,
          ).map((b) => ({ id: b.id, status: b.status })),
          pendingSwitchBacks: [...latest]
            .filter(([, to]) => to === 'rollback_requested')
            .map(([code]) => code)
            .sort(cmp),
          openDrifts,
        };
      },
    },

    directory: {
      async save(participants, users) {
        const codes = new Set(participants.map((p) => p.code));
        w.participants = [
          ...w.participants.filter((p) => !codes.has(p.code)),
          ...participants.map((p) => ({
            code: p.code,
            nameEn: p.nameEn,
            nameZh: p.nameZh,
            userTypes: p.userTypes,
            emails: p.emails,
            language: p.language,
          })),
        ];
        w.sftp = [
          ...w.sftp.filter((s) => !codes.has(s.participant)),
          ...participants.flatMap((p) => p.sftpFolders.map((folder) => ({ participant: p.code, folder }))),
        ];
        w.users = [...w.users.filter((u) => !codes.has(u.participantCode)), ...users.map((u) => ({ ...u }))];
        return { participants: participants.length, users: users.length };
      },
    },

    drifts: {
      async list(filter, limit) {
        return withIds(w.drifts)
          .reverse()
          .filter(
            (d) =>
              (!filter.open || d.resolvedAt === null) &&
              (filter.folder === undefined || d.folderCode === filter.folder),
          )
          .slice(0, limit)
          .map(driftRow);
      },
      async lastPass() {
        return w.passes.at(-1);
      },
    },

    events: {
      async append(e) {
        if (w.events.some((x) => x.key === e.key)) return false;
        w.events.push({
          at: new Date(),
          actor: e.actor,
          entityType: e.entityType,
          entityId: e.entityId,
          from: e.from ?? null,
          to: e.to ?? null,
          reason: e.reason ?? null,
          workflowId: e.workflowId ?? null,
          runId: e.runId ?? null,
          key: e.key,
        });
        return true;
      },
      async idOf(key) {
        const i = w.events.findIndex((e) => e.key === key);
        return i < 0 ? undefined : i + 1;
      },
      async runOf(key) {
        return w.events.find((e) => e.key === key)?.runId;
      },
      async page(query, offset, limit) {
        const batch = query.batch;
        return withIds(w.events)
          .reverse()
          .filter(
            (e) => query.folder === undefined || (e.entityType === 'folder' && e.entityId === query.folder),
          )
          .filter((e) => query.actor === undefined || e.actor === query.actor)
          .filter(
            (e) =>
              !batch ||
              (e.entityType === 'batch' && e.entityId === batch.id) ||
              Boolean(e.workflowId?.startsWith(batch.workflowPrefix)),
          )
          .slice(offset, offset + limit)
          .map(eventRow);
      },
      async lastOfWorkflow(workflowId) {
        const e = withIds(w.events)
          .reverse()
          .find((x) => x.workflowId === workflowId);
        return e ? eventRow(e) : undefined;
      },
    },

    folders: {
      async list(filter = {}, order = 'market') {
        const rows = w.folders
          .filter((f) => !filter.placement || f.placement === filter.placement)
          .filter((f) => !filter.market || f.market === filter.market)
          .filter((f) => !filter.codes || filter.codes.includes(f.code))
          .filter((f) => !filter.text || [f.code, f.nameEn, f.nameZh].some((t) => contains(t, filter.text!)));
        return (
          order === 'code'
            ? sortBy(rows, (f) => f.code)
            : sortBy(
                rows,
                (f) => f.market,
                (f) => f.code,
              )
        ).map(folderRow);
      },
      async get(code) {
        const f = w.folders.find((x) => x.code === code);
        return f ? folderRow(f) : undefined;
      },
      async runs(code, limit) {
        return withIds(w.runs)
          .reverse()
          .filter((r) => r.folderCode === code)
          .slice(0, limit)
          .map((r) => ({
            kind: r.kind,
            batchId: r.batchId,
            workflowId: r.workflowId,
            status: r.status,
            step: r.step,
            startedAt: r.startedAt,
            finishedAt: r.finishedAt,
            freezeWindowMs: r.freezeWindowMs,
            failure: r.failure,
          }));
      },
      async codes() {
        return sortBy(w.folders, (f) => f.code).map((f) => f.code);
      },
    },

    participants: {
      async search(text, limit) {
        return sortBy(
          w.participants.filter(
            (p) => p.code.startsWith(text) || contains(p.nameEn, text) || contains(p.nameZh, text),
          ),
          (p) => p.code,
        )
          .slice(0, limit)
          .map((p) => ({ ...p }));
      },
      async get(code) {
        const p = w.participants.find((x) => x.code === code);
        return p ? { ...p } : undefined;
      },
      async users(code) {
        return sortBy(
          w.users.filter((u) => u.participantCode === code),
          (u) => u.email,
        ).map(({ participantCode: _, ...u }) => u);
      },
      async sftpFolders(code) {
        return w.sftp.filter((s) => s.participant === code).map((s) => s.folder);
      },
      async notices(code) {
        return noticesWithIds()
          .filter((n) => n.participant === code)
          .map((n) => ({
            id: n.id,
            kind: n.kind,
            subjectId: n.subjectId,
            status: n.status,
            recipients: n.recipients,
            folders: n.folders,
            sentAt: n.sentAt,
            messageId: n.messageId,
            attempts: n.attempts.map((a) => ({ id: a.id, at: a.at, outcome: a.outcome, smtp: a.smtp })),
          }));
      },
      async attempts(code, offset, limit) {
        return noticesWithIds()
          .filter((n) => n.participant === code)
          .flatMap((n) =>
            n.attempts.map((a) => ({ id: a.id, at: a.at, kind: n.kind, outcome: a.outcome, smtp: a.smtp })),
          )
          .sort((a, b) => b.id - a.id)
          .slice(offset, offset + limit);
      },
      async count() {
        return w.participants.length;
      },
    },

    readiness: readinessOver(source, gateway),

    reports: { batch: refuse('a batch report') },
    // No rehearsal in the fakes' world (REQUIRE_REHEARSAL is off in the unit tests' configuration).
    rehearsals: {
      get: async () => undefined,
      ofBatch: async () => [],
      latest: async () => undefined,
      report: async () => undefined,
    },
    repairs: {
      async record(code) {
        const f = w.folders.find((x) => x.code === code);
        return {
          code,
          placement: f?.placement ?? null,
          decommission: w.decommission?.status ?? null,
          plannedIn: activePlan(code)?.batchId ?? null,
          openDrifts: w.drifts.filter((d) => d.folderCode === code && d.resolvedAt === null).length,
          runningMoves: w.runs
            .filter((r) => r.folderCode === code && r.status === 'running' && r.kind !== 'repair')
            .map((r) => ({ workflowId: r.workflowId, runId: r.runId })),
        };
      },
    },

    operators: {
      async rolesOf(name) {
        return sortBy(w.operators.find((o) => o.name === name)?.roles ?? [], (r) => r);
      },
      async known(name) {
        const o = w.operators.find((x) => x.name === name);
        return o ? { roles: sortBy(o.roles, (r) => r) } : undefined;
      },
      tokenById: refuse('operators.tokenById'),
      noteTokenUse: refuse('operators.noteTokenUse'),
      isBlocked: async (name) => Boolean(w.operators.find((o) => o.name === name)?.blocked),
      isActive: async (name) => Boolean(w.operators.find((o) => o.name === name && !o.blocked)),
      bindOidcName: refuse('operators.bindOidcName'),
    },
    sessions: {
      create: refuse('sessions'),
      get: refuse('sessions'),
      touch: refuse('sessions'),
      end: refuse('sessions'),
      setLang: refuse('sessions'),
    },
    health: { ping: refuse('health'), clock: refuse('health') },
    metrics: { facts: refuse('metrics') },
  };
}
