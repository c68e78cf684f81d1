import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { approveBatch, planBatch } from '../../app/batches';
import { API, type RouteKey } from '../../contract/api';
import { batchWorkflowId, rollbackWorkflowId } from '../../domain/workflow-ids';
import { createCommandSigner } from '../../security/command-signing';
import { abortBatchUpdate, batchProgressQuery, type batchMigration } from '../../workflows/batch-migration';
import { alice, bob } from '../support/batches';
import { consoleSession } from '../support/control-api';
import { dumpDatabase } from '../support/db';
import { cutoverStack } from '../support/stack';
import { recordHistory } from '../support/temporal';

/**
 * The edge attacked (issue 23): every text field of every route with a hostile value; the wedges found
 * before (a NUL in an abort's reason, a value PostgreSQL refuses) end cleanly; a forged console session, a
 * stranger's failed sign-ins and a workflow squatting a fixed id grant or block nothing.
 */
const stack = await cutoverStack();
const { db, api, app, client } = stack;
await stack.runWorker();

const inTenDays = () => DateTime.utc().plus({ days: 10 }).toISO()!;
await planBatch(app, alice, {
  id: 'E1',
  name: 'awaiting',
  at: inTenDays(),
  folders: ['SD3'],
  concurrency: 1,
  allowNonBusinessDay: true,
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- replies of many shapes, read by the assertions
type Json = any;
const json = async (res: Response): Promise<Json> => res.json();
const call = (p: string, init: RequestInit & { token?: string } = {}) => {
  const { token, ...rest } = init;
  return fetch(api.url + p, {
    ...rest,
    headers: {
      authorization: `Bearer ${token ?? api.tokens.alice}`,
      'content-type': 'application/json',
      ...(rest.headers as Record<string, string>),
    },
  });
};

/** A valid request of each route; the sweep puts a hostile value into one field at a time. */
const SAMPLES: Record<
  RouteKey,
  {
    params?: Record<string, string>;
    query?: Record<string, unknown>;
    body?: Record<string, unknown>;
    token?: 'bob';
  }
> = {
  'GET /api/me': {},
  'GET /api/folders': { query: { status: 'live' } },
  'GET /api/folders/{code}': { params: { code: 'SD3' } },
  'POST /api/folders/{code}/switch-back': { params: { code: 'SD3' }, body: { reason: 'a reason' } },
  'POST /api/folders/{code}/switch-back/approve': { params: { code: 'SD3' }, body: {}, token: 'bob' },
  'POST /api/folders/{code}/switch-back/reject': {
    params: { code: 'SD3' },
    body: { reason: 'a reason' },
    token: 'bob',
  },
  'POST /api/folders/{code}/repair': { params: { code: 'SD3' }, body: { to: 'live', reason: 'a reason' } },
  'POST /api/folders/{code}/repair/approve': { params: { code: 'SD3' }, body: {}, token: 'bob' },
  'POST /api/folders/{code}/repair/reject': {
    params: { code: 'SD3' },
    body: { reason: 'a reason' },
    token: 'bob',
  },
  'GET /api/batches': {},
  'POST /api/batches': {
    body: {
      id: 'EX',
      name: 'a name',
      at: '2031-03-10 08:00',
      folders: ['SD1'],
      retire: ['SDPDF'],
      onFailure: 'continue',
      minNotice: '7d',
      maxNotReady: '5%',
    },
  },
  'POST /api/batches/preview': {
    body: {
      id: 'EX',
      name: 'a name',
      at: '2031-03-10 08:00',
      folders: ['SD1'],
      retire: ['SDPDF'],
      onFailure: 'continue',
      minNotice: '7d',
      maxNotReady: '5%',
    },
  },
  'GET /api/batches/{id}': { params: { id: 'E1' } },
  'GET /api/batches/{id}/dry-run': { params: { id: 'E1' } },
  'GET /api/batches/{id}/readiness': { params: { id: 'E1' } },
  'GET /api/batches/{id}/report': { params: { id: 'E1' } },
  'POST /api/batches/{id}/rehearse': { params: { id: 'E1' }, body: {} },
  'GET /api/batches/{id}/rehearsals': { params: { id: 'E1' } },
  'GET /api/rehearsals/{id}': { params: { id: 'E1-R20260101000000000' } },
  'GET /api/rehearsals/{id}/report': { params: { id: 'E1-R20260101000000000' } },
  'POST /api/batches/{id}/approve': {
    params: { id: 'E1' },
    body: { plannedAt: '2031-03-10 08:00' },
    token: 'bob',
  },
  'POST /api/batches/{id}/reject': { params: { id: 'E1' }, body: { reason: 'a reason' }, token: 'bob' },
  'POST /api/batches/{id}/reschedule': {
    params: { id: 'E1' },
    body: { at: '2031-03-10 08:00', minNotice: '7d' },
  },
  'POST /api/batches/{id}/pause': { params: { id: 'E1' }, body: {} },
  'POST /api/batches/{id}/resume': { params: { id: 'E1' }, body: {} },
  'POST /api/batches/{id}/abort': { params: { id: 'E1' }, body: { reason: 'a reason' } },
  'POST /api/batches/{id}/override-readiness': {
    params: { id: 'E1' },
    body: { reason: 'a reason' },
    token: 'bob',
  },
  'GET /api/participants': { query: { q: 'firm' } },
  'GET /api/participants/{participant}': { params: { participant: '00001' } },
  'GET /api/events': { query: { folder: 'SD3', batch: 'E1', participant: '00001', operator: 'alice' } },
  'GET /api/appendix': { query: { format: 'md' } },
  'GET /api/decommission': {},
  'POST /api/decommission': { body: { at: '2031-03-10 08:00' } },
  'POST /api/decommission/approve': { body: { plannedAt: '2031-03-10 08:00' }, token: 'bob' },
  'POST /api/decommission/reschedule': { body: { at: '2031-03-10 08:00' } },
  'POST /api/reconcile': { body: {} },
  'GET /api/drifts': { query: { all: 'true' } },
  'POST /api/directory/import': {
    body: { participants: 'code,name_en\n', users: 'participant_code,email\n' },
  },
};

/** The text fields of a part of a route (path, query or body), as paths into the sample (`folders[]`: the list's first item). */
function textFields(schema: z.ZodType | undefined): string[] {
  if (!schema) return [];
  const out: string[] = [];
  const walk = (n: Record<string, unknown>, at: string) => {
    if ([n.type].flat().includes('string')) out.push(at);
    for (const [k, v] of Object.entries((n.properties as Record<string, Record<string, unknown>>) ?? {}))
      walk(v, at ? `${at}.${k}` : k);
    if (n.items) walk(n.items as Record<string, unknown>, `${at}[]`);
  };
  walk(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>, '');
  return out;
}

function withValue(sample: Record<string, unknown>, field: string, value: string): Record<string, unknown> {
  const copy = structuredClone(sample);
  const [name, item] = field.split('[]');
  copy[name] = item === undefined ? value : [value];
  return copy;
}

const MiB = 1024 * 1024;
const HOSTILE: [string, string][] = [
  ['a NUL', 'ab\u0000cd'],
  ['a control character', 'ab\u0007cd'],
  ['a lone surrogate', 'ab\ud800cd'],
  ['a bidi override', 'ab\u202ecd'],
  ['a 1 MiB string', 'x'.repeat(MiB)],
];
/** In a URL, a lone surrogate is bytes that are not UTF-8. */
const inUrl = (v: string) => (v.includes('\ud800') ? `ab%ED%A0%80cd` : encodeURIComponent(v));

describe('the edge: one text rule for every route', () => {
  it('every text field of every route, with a NUL, a control character, a lone surrogate, a bidi override or 1 MiB: 4xx within a second, nothing written', async () => {
    const before = await dumpDatabase(db);
    let tried = 0;
    for (const key of Object.keys(API) as RouteKey[]) {
      const route = API[key];
      const sample = SAMPLES[key];
      const token = sample.token ? api.tokens.bob : api.tokens.alice;
      const parts = {
        params: textFields((route as { params?: z.ZodType }).params),
        query: textFields((route as { query?: z.ZodType }).query),
        body: textFields((route as { body?: z.ZodType }).body),
      };
      for (const [part, fields] of Object.entries(parts) as ['params' | 'query' | 'body', string[]][]) {
        for (const field of fields) {
          for (const [what, value] of HOSTILE) {
            const params = part === 'params' ? { ...sample.params, [field]: value } : (sample.params ?? {});
            const query =
              part === 'query' ? withValue(sample.query ?? {}, field, value) : (sample.query ?? {});
            const body = part === 'body' ? withValue(sample.body ?? {}, field, value) : sample.body;
            const path = route.path.replace(/\{(\w+)\}/g, (_m, n: string) => inUrl(String(params[n])));
            const qs = Object.entries(query)
              .map(([k, v]) => `${k}=${inUrl(String(v))}`)
              .join('&');
            const started = Date.now();
            const res = await call(`${path}${qs ? `?${qs}` : ''}`, {
              method: route.method,
              token,
              body: route.method === 'POST' ? JSON.stringify(body) : undefined,
            });
            const took = Date.now() - started;
            const label = `${key} ${part}.${field} with ${what}`;
            expect(res.status, label).toBeGreaterThanOrEqual(400);
            expect(res.status, label).toBeLessThan(500);
            expect(took, label).toBeLessThan(1000);
            const text = await res.text();
            if (res.status === 400 && what !== 'a 1 MiB string')
              expect(JSON.parse(text).error.message, label).toMatch(
                /NUL|control character|surrogate|bidirectional|not valid|must be|is not|UTF-8|expected one of/,
              );
            // A refusal may quote what it refused, but never carries the hostile character itself.
            expect(text, label).not.toMatch(/\\u0000|\\u0007|\u202e|\\ud800/);
            tried++;
          }
        }
      }
    }
    expect(tried).toBeGreaterThan(150);
    expect(await dumpDatabase(db)).toBe(before);
  });

  it('reads with a NUL or a broken escape answer 400, not 500: the control API and the public portal alike', async () => {
    for (const p of [
      '/api/participants?q=ab%00',
      '/api/folders/%ZZ',
      '/api/participants?q=%ED%A0%80',
      '/api/events?folder=%00',
    ]) {
      const res = await call(p);
      expect(res.status, p).toBe(400);
    }
  });
});

describe('a poison pill never loops: the machine decides', () => {
  const signer = createCommandSigner(Buffer.from(stack.env.COMMAND_SIGNING_KEY, 'hex'));

  it('an abort whose reason carries a NUL is refused at the edge, and sent straight to the workflow it is refused there too', async () => {
    await planBatch(app, alice, {
      id: 'E2',
      name: 'nul',
      at: inTenDays(),
      folders: ['SD2'],
      concurrency: 1,
      allowNonBusinessDay: true,
    });
    await approveBatch(app, bob, 'E2');
    const edge = await call('/api/batches/E2/abort', {
      method: 'POST',
      body: JSON.stringify({ reason: 'stop\u0000now' }),
    });
    expect(edge.status).toBe(400);
    expect((await json(edge)).error.message).toBe(
      "body field 'reason': contains a NUL character (U+0000) at position 5: remove it (only tab are allowed among control characters)",
    );
    const handle = client.workflow.getHandle<typeof batchMigration>(batchWorkflowId('E2'));
    const { runId } = await handle.describe();
    const status = (await handle.query(batchProgressQuery)).status;
    const forged = signer.sign({
      action: 'batch.abort',
      workflowId: batchWorkflowId('E2'),
      runId,
      operator: 'alice',
      roles: ['planner'],
      credentialId: 'x',
      source: 'api',
      args: { reason: 'stop\u0000now' },
    });
    await expect(handle.executeUpdate(abortBatchUpdate, { args: [forged] })).rejects.toThrow();
    expect((await handle.query(batchProgressQuery)).status).toBe(status);
    // The batch can still be stopped, cleanly: it ends, its folder released, the firms told it is called off.
    const stopped = await call('/api/batches/E2/abort', {
      method: 'POST',
      body: JSON.stringify({ reason: 'stop now' }),
    });
    expect(stopped.status).toBe(200);
    expect((await json(stopped)).status).toBe('aborted');
  });

  it('a reason the database refuses (a check it holds) still ends the batch: stored without it, its notices sent, its folder free', async () => {
    await db.raw(
      `alter table events add constraint test_bad_word check (reason is null or reason not like '%poison%')`,
    );
    await db.raw(`alter table batches add constraint test_bad_name check (name not like '%poison%')`);
    try {
      await planBatch(app, alice, {
        id: 'E3',
        name: 'three',
        at: inTenDays(),
        folders: ['SMMRPT'],
        concurrency: 1,
        allowNonBusinessDay: true,
      });
      await approveBatch(app, bob, 'E3');
      const started = Date.now();
      const res = await call('/api/batches/E3/abort', {
        method: 'POST',
        body: JSON.stringify({ reason: 'a poison pill' }),
      });
      expect(res.status, await res.clone().text()).toBe(200);
      expect(Date.now() - started).toBeLessThan(30_000);
      const b = await json(res);
      expect(b.status).toBe('aborted');
      expect(b.reason).toBe(
        '(the text given could not be stored: the database refused the data (SQLSTATE 23514 check_violation; table events, constraint test_bad_word))',
      );
      expect(
        await db('batch_folders').where({ batch_id: 'E3', folder_code: 'SMMRPT' }).first('active'),
      ).toMatchObject({ active: false });
      expect(
        await db('notices')
          .where({ kind: 'batch_cancelled' })
          .where('subject_id', 'like', 'E3%')
          .count({ n: '*' }),
      ).not.toEqual([{ n: '0' }]);
      await recordHistory(
        client.workflow.getHandle(batchWorkflowId('E3')),
        'batch-aborted-reason-refused-by-database',
      );
      const again = await call('/api/batches/E3/abort', {
        method: 'POST',
        body: JSON.stringify({ reason: 'again' }),
      });
      expect(again.status).toBe(409);
      // A plan whose name the database refuses is refused, recording nothing; the folder can be planned again.
      const plan = await call('/api/batches', {
        method: 'POST',
        body: JSON.stringify({
          id: 'E4',
          name: 'poison plan',
          at: inTenDays(),
          folders: ['SMMRPT'],
          allowNonBusinessDay: true,
        }),
      });
      expect([200, 201]).not.toContain(plan.status);
      expect(await db('batches').where({ id: 'E4' }).first()).toBeUndefined();
    } finally {
      await db.raw('alter table events drop constraint test_bad_word');
      await db.raw('alter table batches drop constraint test_bad_name');
    }
    const replan = await call('/api/batches', {
      method: 'POST',
      body: JSON.stringify({
        id: 'E5',
        name: 'clean',
        at: inTenDays(),
        folders: ['SMMRPT'],
        allowNonBusinessDay: true,
      }),
    });
    expect(replan.status).toBe(201);
  });
});

describe('credentials and sessions carry no authority of their own', () => {
  it('a console_sessions row written by someone who can write the table grants nothing', async () => {
    const get = await consoleSession(api.url, api.tokens.carol);
    expect(await get('/console/batches')).toContain('Signed in as carol');
    const real = await db('console_sessions').where({ operator: 'carol' }).first();
    const bobToken = await db('operator_tokens').where({ operator: 'bob' }).first('id');
    // Bob's row, minted: a known cookie value's hash, his token id, the mode, even a copy of a real seal.
    const cookie = 'A'.repeat(43);
    const { createHash } = await import('node:crypto');
    for (const forged of [
      { mode: 'token', credential_id: bobToken.id, seal: real.seal },
      { mode: 'token', credential_id: bobToken.id, seal: 'x'.repeat(43) },
      { mode: 'oidc', credential_id: 'jwt:x', seal: real.seal, token_box: null },
    ]) {
      await db('console_sessions').insert({
        id_hash: createHash('sha256').update(cookie).digest('hex'),
        operator: 'bob',
        csrf: 'c',
        lang: 'en',
        expires_at: new Date(Date.now() + 3600_000),
        ...forged,
      });
      const res = await fetch(`${api.url}/console/batches/E1/approve`, {
        headers: { cookie: `ecp_console=${cookie}` },
        redirect: 'manual',
      });
      expect(res.status, JSON.stringify(forged)).toBe(303);
      expect(res.headers.get('location')).toMatch(/^\/console\/sign-in/);
      expect(
        await db('console_sessions').where({ operator: 'bob' }).first(),
        'the forged row is removed',
      ).toBeUndefined();
    }
    // Carol's own row, its operator rewritten to bob: the seal no longer matches, and nothing is approved.
    await db('console_sessions').where({ id_hash: real.id_hash }).update({ operator: 'bob' });
    expect(await get('/console/batches')).not.toContain('Signed in as');
    expect((await db('batches').where({ id: 'E1' }).first('status')).status).toBe('awaiting_approval');
  });

  it("strangers' failed sign-ins never lock out an operator, even guessing her token's id; a lockout does not grow", async () => {
    const { startControlApi } = await import('../../api/server');
    const { createTokenAuthenticator } = await import('../../api/auth');
    // Behind a proxy: the client's address is X-Forwarded-For's (TRUST_PROXY=127.0.0.1).
    const own = await startControlApi({
      deps: { ...app, config: { ...app.config, trustProxy: ['127.0.0.1'] } },
      auth: createTokenAuthenticator(app.stores.operators),
      signInLimit: { max: 5, windowMs: 60_000 },
    });
    const me = (token: string, from: string) =>
      fetch(`${own.url}/api/me`, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': from } });
    try {
      const aliceId = /^ecp_([0-9a-f]{32})_/.exec(api.tokens.alice)![1];
      const guess = `ecp_${aliceId}_${'B'.repeat(43)}`;
      // From the same address as every operator (the proxy's, were it not trusted), and from the stranger's.
      for (let i = 0; i < 20; i++) {
        await me('nonsense', '203.0.113.9');
        await me(`ecp_${'0'.repeat(32)}_${'A'.repeat(43)}`, '203.0.113.9');
        await me(guess, '203.0.113.9');
      }
      expect((await me(guess, '203.0.113.9')).status).toBe(429);
      expect((await me('nonsense', '203.0.113.9')).status).toBe(429);
      // Alice from her own address: never refused. Bob, never verified by this API before: neither.
      expect((await me(api.tokens.alice, '198.51.100.7')).status).toBe(200);
      expect((await me(api.tokens.bob, '198.51.100.8')).status).toBe(200);
      // The stranger's lockout tells when it ends, and failing more does not move that.
      const first = Number((await me(guess, '203.0.113.9')).headers.get('retry-after'));
      await me(guess, '203.0.113.9');
      expect(Number((await me(guess, '203.0.113.9')).headers.get('retry-after'))).toBeLessThanOrEqual(first);
    } finally {
      await own.close();
    }
  });
});

describe('a fixed workflow id held by a run the control API did not start', () => {
  it('blocks no switch-back: a running squatter is terminated and recorded, a closed one replaced', async () => {
    // SD3 live for this test.
    await db('folders').where({ code: 'SD2' }).update({ placement: 'live' });
    await stack.simAdmin('/ecp2/admin/folders/SD2/enable', { method: 'POST' });
    await stack.simAdmin('/legacy/admin/folders/SD2/disable', { method: 'POST' });
    // A type no worker serves: its first task fails for ever, and it holds the id.
    const squatter = await client.workflow.start('noSuchWorkflowType', {
      taskQueue: stack.taskQueue,
      workflowId: rollbackWorkflowId('SD2'),
      args: [],
    });
    const first = await call('/api/folders/SD2/switch-back', {
      method: 'POST',
      body: JSON.stringify({ reason: 'back to legacy' }),
    });
    expect(first.status).toBe(201);
    expect(
      (await client.workflow.getHandle(rollbackWorkflowId('SD2'), squatter.firstExecutionRunId).describe())
        .status.name,
    ).toBe('TERMINATED');
    const event = await db('events')
      .where({
        entity_type: 'system',
        entity_id: rollbackWorkflowId('SD2'),
        to_state: 'unverified_run_terminated',
      })
      .first();
    expect(event).toMatchObject({ actor: 'alice', source: 'api', run_id: squatter.firstExecutionRunId });
    // Our own run holds it now: a second request is refused as before.
    const second = await call('/api/folders/SD2/switch-back', {
      method: 'POST',
      body: JSON.stringify({ reason: 'again' }),
    });
    expect(second.status).toBe(409);
    await call('/api/folders/SD2/switch-back/reject', {
      method: 'POST',
      token: api.tokens.bob,
      body: JSON.stringify({ reason: 'test over' }),
    });
  });

  it('a batch workflow started by hand with garbage ends at once (never fails its task for ever) and does not hold the id', async () => {
    const hand = await client.workflow.start('batchMigration', {
      taskQueue: stack.taskQueue,
      workflowId: batchWorkflowId('E6'),
      args: [{ command: { action: 'batch.plan', args: { batchId: 'E6' } } }],
    });
    await expect(hand.result()).rejects.toThrow();
    expect((await hand.describe()).status.name).toBe('FAILED');
    expect(
      await db('events')
        .where({ workflow_id: batchWorkflowId('E6') })
        .first(),
    ).toBeUndefined();
    const planned = await call('/api/batches', {
      method: 'POST',
      body: JSON.stringify({
        id: 'E6',
        name: 'real',
        at: inTenDays(),
        folders: ['SPLPRPT'],
        allowNonBusinessDay: true,
      }),
    });
    expect(planned.status).toBe(201);
    expect(
      await db('events')
        .where({ entity_id: batchWorkflowId('E6'), to_state: 'unverified_run_replaced' })
        .first(),
    ).toBeDefined();
  });
});
