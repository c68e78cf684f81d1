import { EVENTS_PAGE } from '../contract/limits';
import type { EventView } from '../contract/views';
import { appendixCsv, appendixHtml, appendixMarkdown } from '../domain/appendix';
import { adminShortfall, isAffected, readiness } from '../domain/audience';
import { InputError, NotFoundError } from '../domain/errors';
import { isPlacement, PLACEMENTS, type Placement } from '../domain/placement';
import { cutoverWorkflowId, repairWorkflowId, rollbackWorkflowId } from '../domain/workflow-ids';
import type { EventQuery } from '../stores/event-store';
import { LISTED } from './batches';
import type { AppDeps } from './context';
import { iso, toBatchView, toDriftView, toEventView, toFolderView, toRunView } from './views';

/** Reads for operators and the support desk (the public portal has its own, narrower ones). */

export async function listFolders(deps: AppDeps, filter: { status?: string } = {}) {
  if (filter.status !== undefined && !isPlacement(filter.status))
    throw new InputError(`status '${filter.status}' is not a placement: use one of ${PLACEMENTS.join(', ')}`);
  return (await deps.stores.folders.list({ placement: filter.status as Placement | undefined })).map(
    toFolderView,
  );
}

export async function folderDetail(deps: AppDeps, rawCode: string) {
  const code = rawCode.toUpperCase();
  if (!/^[A-Z0-9-]{1,16}$/.test(code))
    throw new InputError(`'${rawCode}' is not a folder code: letters, digits and -, at most 16`);
  const { stores } = deps;
  const folder = await stores.folders.get(code);
  if (!folder)
    throw new NotFoundError(`folder ${code} is not in the catalog: list them with 'ecp-cutover folders'`);
  const drifts = (await stores.drifts.list({ folder: code }, 5)).map(toDriftView);
  return {
    folder: toFolderView(folder),
    runs: (await stores.folders.runs(code, 5)).map(toRunView),
    events: (await stores.events.page({ folder: code }, 0, 10)).map(toEventView),
    drifts,
    pending: await pendingRequests(deps, code),
  };
}

/**
 * A switch-back or a repair of the folder awaiting a second operator: the last event of its workflow is the
 * request itself (an approval, a rejection or an expiry is recorded after it).
 */
async function pendingRequests(deps: AppDeps, code: string) {
  const pending: {
    kind: 'switch_back' | 'repair';
    requestedBy: string;
    reason: string | null;
    at: string;
  }[] = [];
  for (const [kind, workflowId, requested] of [
    ['switch_back', rollbackWorkflowId(code), 'rollback_requested'],
    ['repair', repairWorkflowId(code), 'repair_requested'],
  ] as const) {
    const last = await deps.stores.events.lastOfWorkflow(workflowId);
    if (last?.to === requested)
      pending.push({ kind, requestedBy: last.actor, reason: last.reason, at: last.at.toISOString() });
  }
  return pending;
}

export async function listBatches(deps: AppDeps) {
  return (await deps.stores.batches.list()).map(toBatchView);
}

/** The support desk's search: firms whose code starts with, or whose English or Chinese name contains, the text. */
export async function findParticipants(deps: AppDeps, q: string) {
  const text = q.trim();
  if (text.length < 2 || text.length > 100)
    throw new InputError('search with 2 to 100 characters of a participant code or name');
  return (await deps.stores.participants.search(text, 50)).map((p) => ({
    code: p.code,
    nameEn: p.nameEn,
    nameZh: p.nameZh,
    userTypes: p.userTypes,
  }));
}

const participantCode = (code: string) => {
  if (!/^\d{5}$/.test(code))
    throw new InputError(`'${code}' is not a participant code: 5 digits, leading zeros kept (e.g. 01234)`);
  return code;
};

/** The support desk's one screen: a firm's folders and where each lives, its readiness, every notice sent to it. */
export async function participantView(deps: AppDeps, rawCode: string) {
  const { stores } = deps;
  const code = participantCode(rawCode);
  const p = await stores.participants.get(code);
  if (!p)
    throw new NotFoundError(
      `no participant ${code} in the directory: import it with 'ecp-cutover directory import'`,
    );
  const directory = await stores.participants.users(code);
  // Client Connect is the source of truth for users and functions; the imported directory when it cannot be read.
  const platform = await deps.gateway.clientConnectParticipant(code).then(
    (p) => p.users,
    (err: Error) => err,
  );
  const users = platform instanceof Error ? directory : platform;
  const same = (a: typeof users, b: typeof users) =>
    JSON.stringify(a.map((u) => [u.email, u.role, [...u.functions].sort()]).sort()) ===
    JSON.stringify(b.map((u) => [u.email, u.role, [...u.functions].sort()]).sort());
  const sftp = new Set(await stores.participants.sftpFolders(code));
  const folders = (await stores.folders.list({}, 'code')).filter((f) => isAffected(p.userTypes, f));
  const notices = await stores.participants.notices(code);
  return {
    participant: {
      code: p.code,
      nameEn: p.nameEn,
      nameZh: p.nameZh,
      userTypes: p.userTypes,
      emails: p.emails,
      language: p.language,
      users: users.length,
    },
    /** Who holds which functions, and where that was read; the directory's view when it disagrees. */
    users: {
      source: platform instanceof Error ? ('directory' as const) : ('client_connect' as const),
      fallback:
        platform instanceof Error
          ? `Client Connect could not be read (${platform.message.slice(0, 200)})`
          : null,
      list: users,
      disagreesWithDirectory: !(platform instanceof Error) && !same(platform, directory),
      directory: !(platform instanceof Error) && !same(platform, directory) ? directory : undefined,
      adminWarning: adminShortfall(users),
    },
    folders: folders.map((f) => {
      const r = readiness(f, users, sftp.has(f.code));
      // A drifted folder may not be where `placement` says: the support desk sees it before answering.
      return {
        code: f.code,
        name: f.nameEn,
        placement: f.placement,
        liveSince: iso(f.liveSince),
        ready: r.ready,
        missing: r.ready ? null : r.missing,
        drifts: f.drifts,
      };
    }),
    notices: notices.map((n) => ({
      kind: n.kind,
      subject: n.subjectId,
      status: n.status,
      to: n.recipients,
      folders: n.folders,
      sentAt: iso(n.sentAt),
      messageId: n.messageId,
      attempts: n.attempts.map((a) => ({ at: a.at.toISOString(), outcome: a.outcome, smtp: a.smtp })),
    })),
  };
}

/** Per folder: affected, ready, not ready and what each lacks; where the users were read; firms short of administrators. */
export async function readinessReport(deps: AppDeps, id: string) {
  if (!(await deps.stores.batches.exists(id))) throw new NotFoundError(`no batch ${id}`);
  const source = await deps.stores.readiness.users({ compare: true });
  const r = await deps.stores.readiness.ofBatch(id, source.users, { list: LISTED });
  return {
    batch: id,
    affected: r.affected,
    notReady: r.notReady,
    percentNotReady: r.percentNotReady,
    users: {
      source: source.source,
      at: source.at,
      fallback: source.fallback,
      disagreements: source.disagreements.length,
      disagreeing: source.disagreements.slice(0, 50),
    },
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

/** The audit trail, newest first, 50 a page; a firm's trail is its notices and their delivery attempts. */
export async function listEvents(deps: AppDeps, f: EventFilter): Promise<EventView[]> {
  const page = f.page ?? 1;
  if (!Number.isInteger(page) || page < 1 || page > 100_000)
    throw new InputError('page must be a whole number from 1');
  if ([f.folder, f.batch, f.participant, f.operator].filter(Boolean).length > 1)
    throw new InputError('give at most one of folder, batch, participant, operator');
  const offset = (page - 1) * EVENTS_PAGE;
  if (f.participant !== undefined) {
    const attempts = await deps.stores.participants.attempts(
      participantCode(f.participant),
      offset,
      EVENTS_PAGE,
    );
    return attempts.map((a) => ({
      id: a.id,
      at: a.at.toISOString(),
      actor: 'system',
      entityType: 'notice',
      entityId: a.kind,
      from: null,
      to: a.outcome,
      reason: a.smtp,
      workflowId: null,
    }));
  }
  const query: EventQuery = {};
  if (f.folder) query.folder = f.folder.toUpperCase();
  if (f.operator) query.actor = f.operator;
  // A batch's trail: its own events and its folders' cutovers (their workflow ids begin with the batch's).
  if (f.batch) query.batch = { id: f.batch, workflowPrefix: cutoverWorkflowId(f.batch, '') };
  return (await deps.stores.events.page(query, offset, EVENTS_PAGE)).map(toEventView);
}

const APPENDIX = { md: appendixMarkdown, html: appendixHtml, csv: appendixCsv } as const;

/** Appendix 7.3, the folders migrated to ECP 2.0 (submission and download folders apart), as the portal serves it. */
export async function appendix(deps: AppDeps, format: string): Promise<string> {
  const render = Object.hasOwn(APPENDIX, format) ? APPENDIX[format as keyof typeof APPENDIX] : undefined;
  if (!render) throw new InputError(`format must be md, html or csv, not '${format}'`);
  return render(await deps.stores.appendix.rows());
}
