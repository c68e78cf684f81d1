import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Db } from '../db/connection';
import {
  checkAccess, checkDirection, checkInputDate, checkIntakeOpen, checkMembership, isIsoDate, retiredRefusal, type Intake, type PlatformName, type Refusal,
} from '../domain/intake-rules';
import { listParticipants, loadParticipants, participantUsers, userAccess, type CcParticipant } from './client-connect';
import { Faults, type FaultRule } from './faults';
import { migrateSimulator } from './migrations/index';
import { seedPlatformFolders } from './seed';
import { DEFAULT_CATALOG } from '../db/catalog-path';
import { handBack, handOver, pendingCount, processPending, readFolder, schemaOf, sha256 } from './platform-store';

/**
 * The reference platform simulator: legacy ECP and ECP 2.0 behind one HTTP server, each with its own
 * schema. Participants use the intake API; the cutover drives the admin API (every call idempotent), which,
 * like fault injection, needs the admin credential the gateway holds. Routes:
 *   POST /{legacy|ecp2}/folders/{code}/submissions                    submit a file
 *   GET  /{legacy|ecp2}/folders/{code}/submissions?participant&user   activity enquiry (checksums, no content)
 *   GET  /{legacy|ecp2}/admin/folders/{code}                          state: intake, visible, pending   (admin)
 *   POST /{legacy|ecp2}/admin/folders/{code}/{freeze|unfreeze|enable|disable|probe|handover|handback}  (admin)
 *   POST /legacy/admin/folders/{code}/retire                          closed and hidden for good          (admin)
 *   PUT  /ecp2/admin/client-connect                                   load participants' users            (admin)
 *   GET  /ecp2/admin/client-connect?after=CODE&limit=N                read them, a page of participants   (admin)
 *   GET  /ecp2/admin/client-connect/{participant}                     one participant's users             (admin)
 *   PUT  /ecp2/admin/users/{email}/functions                          one user's Client Connect functions (admin)
 *   GET  /legacy/admin/last-accepted                                  when legacy last accepted a file    (admin)
 *   POST /legacy/admin/decommission                                   all intake off, all hidden, read-only (admin)
 *   GET|PUT|DELETE /_faults                                           fault injection                     (admin)
 *
 * It stands for the platform participants submit to, and must not fall over: every bad request is a 4xx with
 * {code, message}, nothing internal is ever sent, bodies are capped, and a pattern of a fault rule is linear.
 */
export interface SimulatorOptions {
  db: Db;
  port?: number;
  host?: string;
  /** How long legacy takes to process an accepted file (pending → processed). */
  processingDelayMs?: number;
  /** The credential the admin and fault APIs require (`Authorization: Bearer ...`). */
  adminToken: string;
  /** The folder catalog the platforms start from (default: the one shipped, db/catalog/folders.csv). */
  catalog?: string;
  log?: (line: string) => void;
}

export interface Simulator {
  url: string;
  faults: Faults;
  close(): Promise<void>;
}

/** The largest file the platform takes; a request body is at most its base64 and a little JSON. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;
const MAX_BODY_BYTES = Math.ceil((MAX_FILE_BYTES * 4) / 3) + 64 * 1024;
const CODE = /^[A-Za-z0-9-]{1,16}$/;
const PARTICIPANT = /^\d{5}$/;
// No whitespace, no control character (PostgreSQL refuses NUL), no '/'.
const EMAIL = /^[^\s@/\x00-\x1f\x7f]{1,64}@[^\s@/\x00-\x1f\x7f]{1,190}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const ACTIONS: Record<string, { intake?: Intake; from?: Intake[]; visible?: boolean }> = {
  freeze: { intake: 'frozen', from: ['open', 'frozen'] },
  unfreeze: { intake: 'open', from: ['frozen', 'open'] },
  enable: { intake: 'open', visible: true },
  disable: { intake: 'closed', visible: false },
};

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}
const refuse = (r: Refusal) => new HttpError(r.status, r.code, r.message);
const bad = (message: string) => new HttpError(400, 'bad_request', message);

export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const { db } = opts;
  if (!opts.adminToken || opts.adminToken.length < 16) throw new Error('the simulator needs an admin token of 16 characters or more (SIMULATOR_ADMIN_TOKEN)');
  const adminToken = Buffer.from(`Bearer ${opts.adminToken}`);
  // Its own schemas, its own migrations, its own folders: only where a simulator runs.
  await migrateSimulator(db);
  await seedPlatformFolders(db, opts.catalog ?? DEFAULT_CATALOG);
  const faults = new Faults();
  const processingDelayMs = opts.processingDelayMs ?? 500;

  const isAdmin = (req: http.IncomingMessage) => {
    const got = Buffer.from(String(req.headers.authorization ?? ''));
    return got.length === adminToken.length && timingSafeEqual(got, adminToken);
  };
  const code = (raw: string | undefined) => {
    if (!raw || !CODE.test(raw)) throw bad(`'${String(raw).slice(0, 20)}' is not a folder code: letters, digits and -, at most 16`);
    return raw.toUpperCase();
  };

  async function route(req: http.IncomingMessage, method: string, parts: string[], query: URLSearchParams, body: () => Promise<unknown>): Promise<[number, unknown]> {
    if (parts[0] === 'healthz' && parts.length === 1) return [200, { ok: true }];
    const admin = parts[0] === '_faults' || parts[1] === 'admin';
    if (admin && !isAdmin(req)) throw new HttpError(401, 'unauthorized', 'the admin API needs the platform admin credential');
    if (parts[0] === '_faults' && parts.length === 1) {
      if (method === 'GET') return [200, { rules: faults.list() }];
      if (method === 'DELETE') return faults.clear(), [200, { rules: [] }];
      if (method === 'PUT') return faults.set(parseFaults(await body())), [200, { rules: faults.list() }];
      throw new HttpError(405, 'method_not_allowed', 'use GET, PUT or DELETE');
    }
    const platform = parts[0];
    if (platform !== 'legacy' && platform !== 'ecp2') throw new HttpError(404, 'not_found', 'unknown path: use /legacy/... or /ecp2/...');
    if (parts[1] === 'folders' && parts[3] === 'submissions' && parts.length === 4) {
      if (method === 'POST') return submit(platform, code(parts[2]), await body());
      if (method === 'GET') return [200, await enquiry(platform, code(parts[2]), query.get('participant'), query.get('user'))];
    }
    if (admin && parts[2] === 'folders' && parts.length >= 4 && parts.length <= 5) {
      const c = code(parts[3]);
      if (method === 'GET' && parts.length === 4) return [200, await folderState(platform, c)];
      if (method === 'POST' && parts[4] === 'probe') return [200, await probe(platform, c)];
      if (method === 'POST' && parts[4] === 'handover') {
        const to = platform === 'legacy' ? 'ecp2' : 'legacy';
        const done = await handOver(db, platform, to, c);
        if (!done) throw new HttpError(404, 'unknown_folder', `folder ${c} does not exist on ${to}: nothing can be handed over to it`);
        return [200, done];
      }
      if (method === 'POST' && parts[4] === 'handback') return [200, await handBack(db, platform, c)];
      if (method === 'POST' && parts[4] === 'retire' && platform === 'legacy') return [200, await retire(c)];
      if (method === 'POST' && parts[4] && Object.hasOwn(ACTIONS, parts[4])) return [200, await act(platform, c, parts[4])];
    }
    if (admin && platform === 'legacy' && parts[2] === 'last-accepted' && parts.length === 3 && method === 'GET') {
      const row = await db('sim_legacy.intake_log').where({ accepted: true }).max({ at: 'at' }).first();
      return [200, { at: row?.at ?? null }];
    }
    if (admin && platform === 'legacy' && parts[2] === 'decommission' && parts.length === 3 && method === 'POST') {
      // Idempotent: intake off for every folder, every folder hidden, the platform read-only.
      await db.transaction(async (trx) => {
        await trx('sim_legacy.folders').whereNot({ intake: 'closed' }).orWhere({ visible: true }).update({ intake: 'closed', visible: false, changed_at: trx.fn.now() });
        await trx('sim_legacy.platform').where({ read_only: false }).update({ read_only: true, changed_at: trx.fn.now() });
      });
      const open = await db('sim_legacy.folders').where({ visible: true }).orWhereNot({ intake: 'closed' }).count({ n: '*' }).first();
      return [200, { readOnly: true, openFolders: Number(open?.n ?? 0) }];
    }
    if (admin && platform === 'ecp2' && parts[2] === 'client-connect' && parts.length === 4 && method === 'GET') {
      if (!PARTICIPANT.test(parts[3])) throw bad(`'${parts[3].slice(0, 10)}' is not a participant code`);
      return [200, await participantUsers(db, parts[3])];
    }
    if (admin && platform === 'ecp2' && parts[2] === 'client-connect' && parts.length === 3) {
      if (method === 'PUT') return [200, await loadParticipants(db, parseParticipants(await body()))];
      if (method === 'GET') {
        const after = query.get('after') ?? '';
        const limit = Number(query.get('limit') ?? 500);
        if (after !== '' && !PARTICIPANT.test(after)) throw bad('after must be a participant code (5 digits)');
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw bad('limit must be a whole number from 1 to 1000');
        return [200, { participants: await listParticipants(db, after, limit) }];
      }
    }
    if (admin && platform === 'ecp2' && parts[2] === 'users' && parts[4] === 'functions' && parts.length === 5 && method === 'PUT') {
      return [200, await setFunctions(email(parts[3]), await body())];
    }
    throw new HttpError(404, 'not_found', `no route ${method} /${parts.join('/').slice(0, 100)}`);
  }

  async function submit(p: PlatformName, code: string, body: unknown): Promise<[number, unknown]> {
    const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const participant = String(b.participant ?? '');
    const filename = String(b.filename ?? '');
    if (!PARTICIPANT.test(participant)) throw bad('participant must be a 5-digit code');
    const user = typeof b.user === 'string' ? b.user.trim().toLowerCase() : '';
    if (!EMAIL.test(user)) throw bad("user (the submitting user's email) is required");
    if (!/^[\w.\-]{1,200}$/.test(filename)) throw bad('filename must be 1-200 letters, digits, ".", "_" or "-"');
    if (!isIsoDate(b.inputDate)) throw bad('inputDate must be a date YYYY-MM-DD');
    if (typeof b.contentBase64 !== 'string' || !BASE64.test(b.contentBase64)) throw new HttpError(400, 'bad_content', 'contentBase64 must be the file in base64 (A-Z, a-z, 0-9, +, /, padded with =)');
    const content = Buffer.from(b.contentBase64, 'base64');
    if (content.length > MAX_FILE_BYTES) throw new HttpError(413, 'file_too_large', `a file is at most ${MAX_FILE_BYTES} bytes`);
    const inputDate = b.inputDate;
    const log = (accepted: boolean, errCode: string | null, sha: string | null) =>
      db(`${schemaOf(p)}.intake_log`).insert({ folder_code: code, participant, filename, accepted, code: errCode, sha256: sha });
    try {
      return await db.transaction(async (trx) => {
        // FOR SHARE: a freeze (which takes the row FOR UPDATE) waits for in-flight submissions, and none
        // starts after it; so every acknowledged file is stored before the freeze returns (I1, I3).
        const folder = await readFolder(trx, p, code, 'share');
        // Retired first (it never sends anyone to the other platform), then a download folder (nothing is
        // submitted to it, wherever it is), then where the folder is open.
        const retired = folder?.retired ?? (p === 'ecp2' ? Boolean((await readFolder(trx, 'legacy', code))?.retired) : false);
        if (retired) throw refuse(retiredRefusal(code));
        const download = folder && checkDirection(code, folder.direction);
        if (download) throw refuse(download);
        if (p === 'legacy' && (await trx('sim_legacy.platform').first('read_only'))?.read_only) {
          throw new HttpError(409, '3001', `legacy ECP is decommissioned and read-only; nothing was stored: submit ${code} on ECP 2.0 (FAQ E.30)`);
        }
        const closed = checkIntakeOpen(p, code, folder?.intake);
        if (closed || !folder) throw refuse(closed ?? checkIntakeOpen(p, code, undefined)!);
        if (p === 'ecp2') {
          // Client Connect decides who may submit what, for which firm (FAQ B.5–B.7, B.14).
          const access = await userAccess(trx, user);
          const denied = checkAccess(folder, user, access.functions) ?? checkMembership(participant, user, access.memberOf);
          if (denied) throw refuse(denied);
          // Legacy keeps its own, looser rules: it never checked the Input Date against the filename.
          const badDate = checkInputDate({ pattern: folder.filenamePattern, meaning: folder.inputDateMeaning }, filename, inputDate);
          if (badDate) throw refuse(badDate);
        }
        const digest = sha256(content);
        const [row] = await trx(`${schemaOf(p)}.submissions`)
          .insert({
            folder_code: code, participant, user_email: user, filename, input_date: inputDate, sha256: digest,
            size: content.length, content, status: p === 'legacy' ? 'pending' : 'processed',
            processed_at: p === 'legacy' ? null : trx.fn.now(),
          })
          .onConflict(['folder_code', 'participant', 'filename'])
          .merge(['user_email', 'input_date', 'sha256', 'size', 'content', 'status', 'received_at', 'processed_at', 'handed_over_from'])
          .returning(db.raw('(xmax <> 0) as overwritten'));
        await trx(`${schemaOf(p)}.intake_log`).insert({ folder_code: code, participant, filename, accepted: true, sha256: digest });
        return [201, { sha256: digest, overwritten: Boolean(row.overwritten) }] as [number, unknown];
      });
    } catch (err) {
      if (err instanceof HttpError) await log(false, err.code, null);
      throw err;
    }
  }

  /** FAQ C.26: checksums only, never the content; on ECP 2.0 only for a user of that participant (FAQ B.14). */
  async function enquiry(p: PlatformName, code: string, participant: string | null, rawUser: string | null) {
    if (!participant || !PARTICIPANT.test(participant)) throw bad('participant (5 digits) is required');
    const user = (rawUser ?? '').trim().toLowerCase();
    if (!EMAIL.test(user)) throw bad("user (the enquiring user's email) is required");
    if (p === 'ecp2') {
      const denied = checkMembership(participant, user, (await userAccess(db, user)).memberOf);
      if (denied) throw refuse({ ...denied, message: denied.message.replace('nothing was stored', 'no activity is shown') });
    }
    const rows = await db(`${schemaOf(p)}.submissions`)
      .where({ folder_code: code, participant })
      .whereNot({ status: 'handed_over' })
      .orderBy('received_at', 'desc')
      .limit(1000)
      .select('filename', 'input_date', 'sha256', 'size', 'status', 'received_at', 'handed_over_from');
    return rows.map((r) => ({
      filename: r.filename,
      inputDate: r.input_date instanceof Date ? r.input_date.toISOString().slice(0, 10) : r.input_date,
      sha256: r.sha256,
      size: r.size,
      status: r.status,
      receivedAt: r.received_at,
      handedOverFrom: r.handed_over_from,
    }));
  }

  async function folderState(p: PlatformName, code: string) {
    const f = await readFolder(db, p, code);
    if (!f) return { platform: p, code, exists: false, intake: 'closed', visible: false, pending: 0 };
    return { platform: p, code, exists: true, intake: f.intake, visible: f.visible, pending: await pendingCount(db, p, code) };
  }

  async function probe(p: PlatformName, code: string) {
    const f = await readFolder(db, p, code);
    const refusal = checkIntakeOpen(p, code, f?.intake, f?.retired);
    return { platform: p, code, accepts: refusal === null, refusal };
  }

  async function act(p: PlatformName, code: string, action: string) {
    const spec = ACTIONS[action];
    await db.transaction(async (trx) => {
      const f = await readFolder(trx, p, code, 'update');
      if (!f) throw new HttpError(404, 'unknown_folder', `folder ${code} does not exist on ${p}`);
      if (spec.from && !spec.from.includes(f.intake)) {
        throw new HttpError(409, 'bad_state', `cannot ${action} folder ${code} on ${p}: its intake is ${f.intake}`);
      }
      if (f.retired && spec.intake === 'open') throw new HttpError(409, 'retired', `folder ${code} is retired on ${p}: it does not open again`);
      const patch: Record<string, unknown> = {};
      if (spec.intake && spec.intake !== f.intake) patch.intake = spec.intake;
      if (spec.visible !== undefined && spec.visible !== f.visible) patch.visible = spec.visible;
      if (Object.keys(patch).length) await trx(`${schemaOf(p)}.folders`).where({ code }).update({ ...patch, changed_at: trx.fn.now() });
    });
    return folderState(p, code);
  }

  /** A retired folder is closed and hidden on legacy for good (idempotent). */
  async function retire(code: string) {
    const n = await db('sim_legacy.folders').where({ code }).update({ intake: 'closed', visible: false, retired: true, changed_at: db.fn.now() });
    if (n === 0) throw new HttpError(404, 'unknown_folder', `folder ${code} does not exist on legacy`);
    return folderState('legacy', code);
  }

  async function setFunctions(user: string, body: unknown) {
    const fns = (body as { functions?: unknown })?.functions;
    if (!Array.isArray(fns) || fns.length > 50 || !fns.every((f) => typeof f === 'string' && /^[A-Z_]{1,32}$/.test(f))) throw bad('functions must be an array of at most 50 function names');
    await db.transaction(async (trx) => {
      await trx(`${schemaOf('ecp2')}.user_functions`).where({ user_email: user }).del();
      if (fns.length) await trx(`${schemaOf('ecp2')}.user_functions`).insert(fns.map((f) => ({ user_email: user, function: f })));
    });
    return { user, functions: fns };
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      opts.log?.(`simulator: ${req.method} ${String(req.url).slice(0, 200)} failed: ${err instanceof Error ? err.stack : String(err)}`);
      if (!res.headersSent) send(res, 500, { code: 'internal', message: 'the platform failed; nothing was stored: try again later' });
    });
  });
  function send(res: http.ServerResponse, status: number, payload: unknown) {
    res.writeHead(status, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' });
    res.end(JSON.stringify(payload));
  }
  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    res.on('finish', () => {
      if (!req.complete) req.destroy();
    });
    try {
      let parts: string[];
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://sim');
        parts = url.pathname.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
      } catch {
        throw bad('the path is not a valid URL path (bad % encoding?)');
      }
      if (parts.some((p) => p.length > 300) || parts.length > 8) throw bad('the path is too long');
      const method = req.method ?? 'GET';
      if (parts[0] !== '_faults' && parts[0] !== 'healthz') {
        const { delayMs, fail } = faults.decide(method, url.pathname);
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
        if (fail) return send(res, 503, { code: 'unavailable', message: 'injected fault: platform unavailable' });
      }
      const [status, payload] = await route(req, method, parts, url.searchParams, () => readJson(req));
      send(res, status, payload);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      if (!req.complete) res.setHeader('connection', 'close');
      send(res, err.status, { code: err.code, message: err.message });
    }
  }

  const processor = setInterval(() => {
    processPending(db, processingDelayMs).catch(() => undefined);
  }, Math.max(50, Math.min(processingDelayMs, 250)));

  server.requestTimeout = 120_000;
  server.headersTimeout = 20_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    faults,
    async close() {
      clearInterval(processor);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function email(raw: string): string {
  const e = raw.trim().toLowerCase();
  if (!EMAIL.test(e)) throw bad(`'${raw.slice(0, 40)}' is not an email address`);
  return e;
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) throw new HttpError(413, 'too_large', `a request body is at most ${MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'too_large', `a request body is at most ${MAX_BODY_BYTES} bytes`);
    chunks.push(c as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw bad('body must be JSON');
  }
}

function parseFaults(body: unknown): FaultRule[] {
  const rules = (body as { rules?: unknown })?.rules;
  if (!Array.isArray(rules)) throw bad('body must be { "rules": [ { "match", "latencyMs", "errorRate", "outage", "forMs" } ] }');
  const parsed = rules.map((r) => {
    const rule = (r ?? {}) as FaultRule;
    if (typeof rule.match !== 'string' || rule.match.length > 200) throw bad('each rule needs a "match" pattern of at most 200 characters ("METHOD /path", * for anything)');
    for (const k of ['latencyMs', 'errorRate', 'forMs'] as const) {
      if (rule[k] !== undefined && (typeof rule[k] !== 'number' || !(rule[k]! >= 0) || rule[k]! > 600_000)) throw bad(`"${k}" must be a number from 0 to 600000`);
    }
    return { match: rule.match, latencyMs: rule.latencyMs, errorRate: rule.errorRate, outage: rule.outage === true, forMs: rule.forMs };
  });
  if (parsed.length > 20) throw bad('at most 20 rules');
  return parsed;
}

function parseParticipants(body: unknown): CcParticipant[] {
  const list = (body as { participants?: unknown })?.participants;
  if (!Array.isArray(list) || list.length > 1000) throw bad('body must be { "participants": [ { "code", "users": [ { "email", "role", "functions", "sftpKeyRegistered", "ipRegistered" } ] } ] }, at most 1000 participants');
  return list.map((p) => {
    const code = String((p as { code?: unknown })?.code ?? '');
    const users = (p as { users?: unknown })?.users;
    if (!PARTICIPANT.test(code)) throw bad(`'${code.slice(0, 10)}' is not a participant code`);
    if (!Array.isArray(users) || users.length > 20) throw bad(`participant ${code}: users must be a list of at most 20 (FAQ B.11)`);
    return {
      code,
      users: users.map((u) => {
        const x = (u ?? {}) as Record<string, unknown>;
        const fns = x.functions;
        if (x.role !== 'admin' && x.role !== 'operator') throw bad(`participant ${code}: role must be admin or operator`);
        if (!Array.isArray(fns) || fns.length > 50 || !fns.every((f) => typeof f === 'string' && /^[A-Z_]{1,32}$/.test(f))) throw bad(`participant ${code}: functions must be a list of function names`);
        return { email: email(String(x.email ?? '')), role: x.role, functions: fns as string[], sftpKeyRegistered: x.sftpKeyRegistered === true, ipRegistered: x.ipRegistered === true };
      }),
    };
  });
}
