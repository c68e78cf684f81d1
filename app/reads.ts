import { appendixCsv, appendixHtml, appendixMarkdown } from '../domain/appendix';
import { adminShortfall, isAffected, readiness } from '../domain/audience';
import { InputError, NotFoundError } from '../domain/errors';
import { isPlacement, PLACEMENTS, type Placement } from '../domain/placement';
import { cutoverWorkflowId, repairWorkflowId, rollbackWorkflowId } from '../domain/workflow-ids';
import { appendixRows } from '../stores/appendix';
import { EVENTS_PAGE } from '../stores/folder-store';
import { readBatch } from '../stores/batch-read';
import { createFolderStore, toEventView, type EventView } from '../stores/folder-store';
import { batchReadiness, readinessUsers } from '../stores/readiness';
import { openDrifts, toDriftView } from '../stores/reconcile';
import { LISTED } from './batches';
import type { AppDeps } from './context';

/** Reads for operators and the support desk (the public portal has its own, narrower ones). */

/** An instant as the API carries it (ISO-8601, UTC). */
const iso = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : v == null ? null : new Date(String(v)).toISOString());

export async function listFolders(deps: AppDeps, filter: { status?: string } = {}) {
  if (filter.status !== undefined && !isPlacement(filter.status)) throw new InputError(`status '${filter.status}' is not a placement: use one of ${PLACEMENTS.join(', ')}`);
  return createFolderStore(deps.db).list({ placement: filter.status as Placement | undefined });
}

export async function folderDetail(deps: AppDeps, rawCode: string) {
  const code = rawCode.toUpperCase();
  if (!/^[A-Z0-9-]{1,16}$/.test(code)) throw new InputError(`'${rawCode}' is not a folder code: letters, digits and -, at most 16`);
  const store = createFolderStore(deps.db);
  const folder = await store.get(code);
  if (!folder) throw new NotFoundError(`folder ${code} is not in the catalog: list them with 'ecp-cutover folders'`);
  const drifts = (await deps.db('drifts').where({ folder_code: code }).orderBy('id', 'desc').limit(5).select('*')).map((r) => toDriftView(r));
  return { folder, runs: await store.runs(code, 5), events: await store.events(code, 10), drifts, pending: await pendingRequests(deps, code) };
}

/**
 * A switch-back or a repair of the folder awaiting a second operator: the last event of its workflow is the
 * request itself (an approval, a rejection or an expiry is recorded after it).
 */
async function pendingRequests(deps: AppDeps, code: string) {
  const pending: { kind: 'switch_back' | 'repair'; requestedBy: string; reason: string | null; at: string }[] = [];
  for (const [kind, workflowId, requested] of [['switch_back', rollbackWorkflowId(code), 'rollback_requested'], ['repair', repairWorkflowId(code), 'repair_requested']] as const) {
    const last = await deps.db('events').where({ workflow_id: workflowId }).orderBy('id', 'desc').first('to_state', 'actor', 'reason', 'at');
    if (last?.to_state === requested) pending.push({ kind, requestedBy: last.actor, reason: last.reason ?? null, at: new Date(last.at).toISOString() });
  }
  return pending;
}

export async function listBatches(deps: AppDeps) {
  const ids: string[] = await deps.db('batches').orderBy('planned_at', 'desc').pluck('id');
  return Promise.all(ids.map(async (id) => (await readBatch(deps.db, id))!));
}

/** The support desk's search: firms whose code starts with, or whose English or Chinese name contains, the text. */
export async function findParticipants(deps: AppDeps, q: string) {
  const text = q.trim();
  if (text.length < 2 || text.length > 100) throw new InputError('search with 2 to 100 characters of a participant code or name');
  const escaped = text.replace(/[\\%_]/g, (c) => '\\' + c); // LIKE's wildcards, taken literally
  const rows = await deps.db('participants')
    .where((w) => w.where('code', 'like', `${escaped}%`).orWhereILike('name_en', `%${escaped}%`).orWhereILike('name_zh', `%${escaped}%`))
    .orderBy('code').limit(50).select('code', 'name_en', 'name_zh', 'user_types');
  return rows.map((r) => ({ code: r.code as string, nameEn: r.name_en as string, nameZh: (r.name_zh as string | null) ?? null, userTypes: r.user_types as string[] }));
}

const participantCode = (code: string) => {
  if (!/^\d{5}$/.test(code)) throw new InputError(`'${code}' is not a participant code: 5 digits, leading zeros kept (e.g. 01234)`);
  return code;
};

/** The support desk's one screen: a firm's folders and where each lives, its readiness, every notice sent to it. */
export async function participantView(deps: AppDeps, rawCode: string) {
  const { db } = deps;
  const code = participantCode(rawCode);
  const p = await db('participants').where({ code }).first();
  if (!p) throw new NotFoundError(`no participant ${code} in the directory: import it with 'ecp-cutover directory import'`);
  const directory = (await db('users').where({ participant_code: code }).orderBy('email')).map((u) => ({ email: u.email as string, role: u.role as 'admin' | 'operator', functions: u.functions as string[], sftpKeyRegistered: u.sftp_key_registered as boolean, ipRegistered: u.ip_registered as boolean }));
  // Client Connect is the source of truth for users and functions; the imported directory when it cannot be read.
  const platform = await deps.gateway.clientConnectParticipant(code).then((p) => p.users, (err: Error) => err);
  const users = platform instanceof Error ? directory : platform;
  const same = (a: typeof users, b: typeof users) => JSON.stringify(a.map((u) => [u.email, u.role, [...u.functions].sort()]).sort()) === JSON.stringify(b.map((u) => [u.email, u.role, [...u.functions].sort()]).sort());
  const sftp = new Set(await db('participant_sftp_folders').where({ participant_code: code }).pluck('folder_code'));
  const folders = (await db('folders').orderBy('code')).filter((f) => isAffected(p.user_types, { code: f.code, userTypes: f.user_types, ccFunction: f.cc_function }));
  const drifts = await openDrifts(db, folders.map((f) => f.code as string));
  const notices = await db('notices').where({ participant_code: code }).orderBy('id');
  const attempts = await db('notice_attempts').whereIn('notice_id', notices.map((n) => n.id)).orderBy('id');
  return {
    participant: { code: p.code as string, nameEn: p.name_en as string, nameZh: (p.name_zh as string | null) ?? null, userTypes: p.user_types as string[], emails: p.emails as string[], language: p.language as string, users: users.length },
    /** Who holds which functions, and where that was read; the directory's view when it disagrees. */
    users: {
      source: platform instanceof Error ? ('directory' as const) : ('client_connect' as const),
      fallback: platform instanceof Error ? `Client Connect could not be read (${platform.message.slice(0, 200)})` : null,
      list: users,
      disagreesWithDirectory: !(platform instanceof Error) && !same(platform, directory),
      directory: !(platform instanceof Error) && !same(platform, directory) ? directory : undefined,
      adminWarning: adminShortfall(users),
    },
    folders: folders.map((f) => {
      const r = readiness({ code: f.code, userTypes: f.user_types, ccFunction: f.cc_function }, users, sftp.has(f.code));
      // A drifted folder may not be where `placement` says: the support desk sees it before answering.
      return { code: f.code as string, name: f.name_en as string, placement: f.placement as string, liveSince: iso(f.live_since), ready: r.ready, missing: r.ready ? null : r.missing, drifts: drifts.get(f.code) ?? [] };
    }),
    notices: notices.map((n) => ({
      kind: n.kind as string, subject: n.subject_id as string, status: n.status as string, to: n.recipients as string[], folders: n.folders as string[], sentAt: iso(n.sent_at), messageId: n.message_id as string | null,
      attempts: attempts.filter((a) => a.notice_id === n.id).map((a) => ({ at: iso(a.attempted_at)!, outcome: a.outcome as string, smtp: a.smtp_response as string | null })),
    })),
  };
}

/** Per folder: affected, ready, not ready and what each lacks; where the users were read; firms short of administrators. */
export async function readinessReport(deps: AppDeps, id: string) {
  if (!(await readBatch(deps.db, id))) throw new NotFoundError(`no batch ${id}`);
  const source = await readinessUsers(deps.db, deps.gateway, { compare: true });
  const r = await batchReadiness(deps.db, { batch: id }, source.users, { list: LISTED });
  return {
    batch: id,
    affected: r.affected,
    notReady: r.notReady,
    percentNotReady: r.percentNotReady,
    users: { source: source.source, at: source.at, fallback: source.fallback, disagreements: source.disagreements.length, disagreeing: source.disagreements.slice(0, 50) },
    /** How many affected firms have fewer than two administrators, and (at most LISTED of) which. */
    shortOfAdmins: r.shortOfAdmins,
    adminWarnings: r.adminWarnings,
    /** Per folder: counts, and at most LISTED not-ready firms with what each lacks. */
    folders: r.folders.map(({ affectedFirms: _, ...f }) => f),
  };
}

export interface EventFilter {
  folder?: string;
  batch?: string;
  participant?: string;
  operator?: string;
  page?: number;
}

export { EVENTS_PAGE };

/** The audit trail, newest first, 50 a page; a firm's trail is its notices and their delivery attempts. */
export async function listEvents(deps: AppDeps, f: EventFilter): Promise<EventView[]> {
  const { db } = deps;
  const page = f.page ?? 1;
  if (!Number.isInteger(page) || page < 1 || page > 100_000) throw new InputError('page must be a whole number from 1');
  if ([f.folder, f.batch, f.participant, f.operator].filter(Boolean).length > 1) throw new InputError('give at most one of folder, batch, participant, operator');
  if (f.participant !== undefined) {
    const code = participantCode(f.participant);
    return (await db('notice_attempts as a').join('notices as n', 'n.id', 'a.notice_id').where('n.participant_code', code)
      .orderBy('a.id', 'desc').limit(EVENTS_PAGE).offset((page - 1) * EVENTS_PAGE)
      .select('a.id', 'a.attempted_at as at', db.raw(`'system' as actor`), db.raw(`'notice' as entity_type`), 'n.kind as entity_id', db.raw('null as from_state'), 'a.outcome as to_state', 'a.smtp_response as reason', db.raw('null as workflow_id')))
      .map(toEventView);
  }
  const q = db('events').orderBy('id', 'desc').limit(EVENTS_PAGE).offset((page - 1) * EVENTS_PAGE);
  if (f.folder) q.where({ entity_type: 'folder', entity_id: f.folder.toUpperCase() });
  if (f.operator) q.where({ actor: f.operator });
  if (f.batch) {
    const prefix = cutoverWorkflowId(f.batch, '').replace(/[\\%_]/g, (c) => '\\' + c);
    q.where((w) => w.where({ entity_type: 'batch', entity_id: f.batch }).orWhere('workflow_id', 'like', `${prefix}%`));
  }
  return (await q).map(toEventView);
}

const APPENDIX = { md: appendixMarkdown, html: appendixHtml, csv: appendixCsv } as const;

/** Appendix 7.3, the folders migrated to ECP 2.0 (submission and download folders apart), as the portal serves it. */
export async function appendix(deps: AppDeps, format: string): Promise<string> {
  const render = Object.hasOwn(APPENDIX, format) ? APPENDIX[format as keyof typeof APPENDIX] : undefined;
  if (!render) throw new InputError(`format must be md, html or csv, not '${format}'`);
  return render(await appendixRows(deps.db));
}
