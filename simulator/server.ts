import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Db } from '../db/connection';
import { checkFunction, checkInputDate, checkIntakeOpen, isIsoDate, type Intake, type PlatformName, type Refusal } from '../domain/intake-rules';
import { Faults, type FaultRule } from './faults';
import { handBack, handOver, pendingCount, processPending, readFolder, schemaOf, sha256 } from './platform-store';

/**
 * The reference platform simulator: legacy ECP and ECP 2.0 behind one HTTP server, each with its own
 * schema. Participants use the intake API; the cutover drives the admin API (every call idempotent);
 * tests inject faults. Routes:
 *   POST /{legacy|ecp2}/folders/{code}/submissions             submit a file
 *   GET  /{legacy|ecp2}/folders/{code}/submissions?participant  activity enquiry (checksums, no content)
 *   GET  /{legacy|ecp2}/admin/folders/{code}                     state: intake, visible, pending
 *   POST /{legacy|ecp2}/admin/folders/{code}/{freeze|unfreeze|enable|disable}
 *   POST /{legacy|ecp2}/admin/folders/{code}/probe               would a submission be accepted now?
 *   POST /{legacy|ecp2}/admin/folders/{code}/handover            move pending files to the other platform
 *   POST /{legacy|ecp2}/admin/folders/{code}/handback            undo a handover (compensation)
 *   PUT  /ecp2/admin/users/{email}/functions                     Client Connect functions of a user
 *   GET  /legacy/admin/last-accepted                             when legacy last accepted a submission
 *   POST /legacy/admin/decommission                              all intake off, all hidden, read-only
 *   GET|PUT|DELETE /_faults                                      fault injection
 */
export interface SimulatorOptions {
  db: Db;
  port?: number;
  host?: string;
  /** How long legacy takes to process an accepted file (pending → processed). */
  processingDelayMs?: number;
}

export interface Simulator {
  url: string;
  faults: Faults;
  close(): Promise<void>;
}

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

export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const { db } = opts;
  const faults = new Faults();
  const processingDelayMs = opts.processingDelayMs ?? 500;

  async function route(method: string, parts: string[], query: URLSearchParams, body: unknown): Promise<[number, unknown]> {
    if (parts[0] === 'healthz') return [200, { ok: true }];
    if (parts[0] === '_faults') {
      if (method === 'GET') return [200, { rules: faults.list() }];
      if (method === 'DELETE') return faults.clear(), [200, { rules: [] }];
      if (method === 'PUT') return faults.set(parseFaults(body)), [200, { rules: faults.list() }];
    }
    const platform = parts[0];
    if (platform !== 'legacy' && platform !== 'ecp2') throw new HttpError(404, 'not_found', 'unknown path: use /legacy/... or /ecp2/...');
    if (parts[1] === 'folders' && parts[3] === 'submissions' && parts.length === 4) {
      if (method === 'POST') return submit(platform, parts[2], body);
      if (method === 'GET') return [200, await enquiry(platform, parts[2], query.get('participant'))];
    }
    if (parts[1] === 'admin' && parts[2] === 'folders' && parts[3]) {
      const code = parts[3];
      if (method === 'GET' && parts.length === 4) return [200, await folderState(platform, code)];
      if (method === 'POST' && parts[4] === 'probe') return [200, await probe(platform, code)];
      if (method === 'POST' && parts[4] === 'handover') return [200, await handOver(db, platform, platform === 'legacy' ? 'ecp2' : 'legacy', code)];
      if (method === 'POST' && parts[4] === 'handback') return [200, await handBack(db, platform, code)];
      if (method === 'POST' && parts[4] && ACTIONS[parts[4]]) return [200, await act(platform, code, parts[4])];
    }
    if (platform === 'legacy' && parts[1] === 'admin' && parts[2] === 'last-accepted' && method === 'GET') {
      const row = await db('sim_legacy.intake_log').where({ accepted: true }).max({ at: 'at' }).first();
      return [200, { at: row?.at ?? null }];
    }
    if (platform === 'legacy' && parts[1] === 'admin' && parts[2] === 'decommission' && method === 'POST') {
      // Idempotent: intake off for every folder, every folder hidden, the platform read-only.
      await db.transaction(async (trx) => {
        await trx('sim_legacy.folders').whereNot({ intake: 'closed' }).orWhere({ visible: true }).update({ intake: 'closed', visible: false, changed_at: trx.fn.now() });
        await trx('sim_legacy.platform').where({ read_only: false }).update({ read_only: true, changed_at: trx.fn.now() });
      });
      const open = await db('sim_legacy.folders').where({ visible: true }).orWhereNot({ intake: 'closed' }).count({ n: '*' }).first();
      return [200, { readOnly: true, openFolders: Number(open?.n ?? 0) }];
    }
    if (platform === 'ecp2' && parts[1] === 'admin' && parts[2] === 'users' && parts[4] === 'functions' && method === 'PUT') {
      return [200, await setFunctions(decodeURIComponent(parts[3]), body)];
    }
    throw new HttpError(404, 'not_found', `no route ${method} /${parts.join('/')}`);
  }

  async function submit(p: PlatformName, code: string, body: unknown): Promise<[number, unknown]> {
    const b = (body ?? {}) as Record<string, unknown>;
    const participant = String(b.participant ?? '');
    const filename = String(b.filename ?? '');
    if (!/^\d{5}$/.test(participant)) throw new HttpError(400, 'bad_request', 'participant must be a 5-digit code');
    if (typeof b.user !== 'string' || !b.user) throw new HttpError(400, 'bad_request', 'user (the submitting user\'s email) is required');
    if (!/^[\w.\-]{1,200}$/.test(filename)) throw new HttpError(400, 'bad_request', 'filename must be 1-200 letters, digits, ".", "_" or "-"');
    if (!isIsoDate(b.inputDate)) throw new HttpError(400, 'bad_request', 'inputDate must be a date YYYY-MM-DD');
    if (typeof b.contentBase64 !== 'string') throw new HttpError(400, 'bad_request', 'contentBase64 is required');
    const content = Buffer.from(b.contentBase64, 'base64');
    const user = b.user;
    const inputDate = b.inputDate;
    const log = (accepted: boolean, errCode: string | null, sha: string | null) =>
      db(`${schemaOf(p)}.intake_log`).insert({ folder_code: code, participant, filename, accepted, code: errCode, sha256: sha });
    try {
      return await db.transaction(async (trx) => {
        // FOR SHARE: a freeze (which takes the row FOR UPDATE) waits for in-flight submissions, and none
        // starts after it; so every acknowledged file is stored before the freeze returns (I1, I3).
        const folder = await readFolder(trx, p, code, 'share');
        if (p === 'legacy' && (await trx('sim_legacy.platform').first('read_only'))?.read_only) {
          throw new HttpError(409, '3001', `legacy ECP is decommissioned and read-only; nothing was stored: submit ${code} on ECP 2.0 (FAQ E.30)`);
        }
        const closed = checkIntakeOpen(p, code, folder?.intake);
        if (closed || !folder) throw refuse(closed!);
        if (p === 'ecp2') {
          const fns = await trx(`${schemaOf(p)}.user_functions`).where({ user_email: user }).pluck('function');
          const denied = checkFunction(folder.ccFunction, fns);
          if (denied) throw refuse(denied);
        }
        const badDate = checkInputDate(folder.filenamePattern, filename, inputDate);
        if (badDate) throw refuse(badDate);
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

  async function enquiry(p: PlatformName, code: string, participant: string | null) {
    if (!participant || !/^\d{5}$/.test(participant)) throw new HttpError(400, 'bad_request', 'participant (5 digits) is required');
    // FAQ C.26: checksums only, never the content.
    const rows = await db(`${schemaOf(p)}.submissions`)
      .where({ folder_code: code, participant })
      .whereNot({ status: 'handed_over' })
      .orderBy('received_at', 'desc')
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
    const refusal = checkIntakeOpen(p, code, f?.intake);
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
      const patch: Record<string, unknown> = {};
      if (spec.intake && spec.intake !== f.intake) patch.intake = spec.intake;
      if (spec.visible !== undefined && spec.visible !== f.visible) patch.visible = spec.visible;
      if (Object.keys(patch).length) await trx(`${schemaOf(p)}.folders`).where({ code }).update({ ...patch, changed_at: trx.fn.now() });
    });
    return folderState(p, code);
  }

  async function setFunctions(email: string, body: unknown) {
    const fns = (body as { functions?: unknown })?.functions;
    if (!Array.isArray(fns) || !fns.every((f) => typeof f === 'string')) throw new HttpError(400, 'bad_request', 'functions must be an array of strings');
    await db.transaction(async (trx) => {
      await trx(`${schemaOf('ecp2')}.user_functions`).where({ user_email: email }).del();
      if (fns.length) await trx(`${schemaOf('ecp2')}.user_functions`).insert(fns.map((f) => ({ user_email: email, function: f })));
    });
    return { user: email, functions: fns };
  }

  const server = http.createServer((req, res) => {
    void handle(req, res);
  });
  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://sim');
    const parts = url.pathname.split('/').filter(Boolean);
    const method = req.method ?? 'GET';
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    try {
      if (parts[0] !== '_faults' && parts[0] !== 'healthz') {
        const { delayMs, fail } = faults.decide(method, url.pathname);
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
        if (fail) return send(503, { code: 'unavailable', message: 'injected fault: platform unavailable' });
      }
      const body = method === 'POST' || method === 'PUT' ? await readJson(req) : undefined;
      const [status, payload] = await route(method, parts, url.searchParams, body);
      send(status, payload);
    } catch (err) {
      if (err instanceof HttpError) send(err.status, { code: err.code, message: err.message });
      else send(500, { code: 'internal', message: err instanceof Error ? err.message : String(err) });
    }
  }

  const processor = setInterval(() => {
    processPending(db, processingDelayMs).catch(() => undefined);
  }, Math.max(50, Math.min(processingDelayMs, 250)));

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

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  if (chunks.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'bad_request', 'body must be JSON');
  }
}

function parseFaults(body: unknown): FaultRule[] {
  const rules = (body as { rules?: unknown })?.rules;
  if (!Array.isArray(rules)) throw new HttpError(400, 'bad_request', 'body must be { "rules": [ { "match", "latencyMs", "errorRate", "outage", "forMs" } ] }');
  return rules.map((r) => {
    const rule = r as FaultRule;
    if (typeof rule.match !== 'string') throw new HttpError(400, 'bad_request', 'each rule needs a "match" regular expression');
    try {
      new RegExp(rule.match);
    } catch {
      throw new HttpError(400, 'bad_request', `"${rule.match}" is not a regular expression`);
    }
    return rule;
  });
}
