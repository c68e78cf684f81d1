import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createOidcAuthenticator } from '../../api/auth';
import { startControlApi } from '../../api/server';
import { DB_ROLES, urlAs } from '../../db/grants';
import {
  batchWorkflowId,
  DECOMMISSION_WORKFLOW_ID,
  repairWorkflowId,
  rollbackWorkflowId,
} from '../../domain/workflow-ids';
import { createCommandSigner } from '../../security/command-signing';
import { addOperator } from '../../stores/operator-store';
import { approveBatchUpdate, batchMigration, batchProgressQuery } from '../../workflows/batch-migration';
import { decommissionLegacy } from '../../workflows/decommission-legacy';
import { API } from '../../contract/api';
import { folderRepair } from '../../workflows/folder-repair';
import { approveRollbackUpdate, folderRollback } from '../../workflows/folder-rollback';
import { runBatch } from '../support/batches';
import { runCli } from '../support/cli';
import { cutoverStack } from '../support/stack';
import { uniqueId } from '../support/temporal';

/**
 * The control plane attacked: no credential, someone else's identity, a role one lacks, hostile requests,
 * commands sent straight to Temporal with a forged operator, and each process's database role reaching for
 * what it must not touch.
 */
const stack = await cutoverStack();
const { db, api, app, client, taskQueue, url } = stack;
await stack.runWorker();

const call = (p: string, init: RequestInit & { token?: string | null } = {}) => {
  const { token, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token !== null) headers.set('authorization', `Bearer ${token ?? api.tokens.alice}`);
  if (rest.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
  return fetch(api.url + p, { ...rest, headers });
};
const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string } }).error;
/** Every table that a command could change, as text. */
const dump = async () =>
  JSON.stringify(
    await Promise.all(
      ['batches', 'batch_folders', 'folders', 'notices', 'folder_runs', 'decommission', 'operator_roles'].map(
        (t) => db(t).select(),
      ),
    ),
  );
/** The reason a workflow gave for refusing an Update (the innermost cause of the client's error). */
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    let e: unknown = err;
    while (e instanceof Error && e.cause instanceof Error) e = e.cause;
    return (e as Error).message;
  }
  throw new Error('the Update was accepted');
}
const plan = (id: string, folders: string[]) => ({
  id,
  name: id,
  at: DateTime.utc().plus({ days: 10 }).toISO(),
  folders,
  allowNonBusinessDay: true,
});

describe('the control API: authentication and authorisation', () => {
  it('refuses every endpoint without a credential (401) and changes nothing', async () => {
    const before = await dump();
    // Every route of the table (and /metrics), with sample path parameters.
    const endpoints = [
      ...Object.values(API).map(
        (r) =>
          [
            r.method,
            r.path.replace('{id}', 'B1').replace('{code}', 'SD1').replace('{participant}', '00001'),
          ] as const,
      ),
      ['GET', '/metrics'] as const,
    ];
    for (const [method, p] of endpoints) {
      for (const token of [null, 'nonsense', `ecp_${'0'.repeat(32)}_${'A'.repeat(43)}`]) {
        const res = await call(p, {
          method,
          token,
          body: method === 'POST' ? JSON.stringify(plan('Z1', ['SD1'])) : undefined,
        });
        expect(res.status, `${method} ${p} with ${token}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
        expect((await errorOf(res)).message).toMatch(/no credential|not a token|unknown token/);
      }
    }
    expect(await dump()).toBe(before);
  });

  it('who am I: the verified operator and the credential, never a name the caller types', async () => {
    const me = await (await call('/api/me')).json();
    expect(me).toMatchObject({
      name: 'alice',
      roles: ['planner'],
      credentialId: expect.stringMatching(/^[0-9a-f]{32}$/),
      source: 'api',
    });
    const bob = await call('/api/batches/Z9/approve', {
      method: 'POST',
      body: '{}',
      headers: { 'x-ecp-as': 'bob' },
    });
    expect(bob.status).toBe(403);
    expect((await errorOf(bob)).message).toBe(
      'signed in as alice, not bob: a command acts as the signed-in operator',
    );
  });

  it('a role the operator lacks is 403; a plan by a planner is 201 and answers the new state; the audit names the credential', async () => {
    const carol = await call('/api/batches', {
      method: 'POST',
      token: api.tokens.carol,
      body: JSON.stringify(plan('Z2', ['SD1'])),
    });
    expect(carol.status).toBe(403);
    expect((await errorOf(carol)).message).toMatch(
      /operator 'carol' does not hold the planner role \(has: support\)/,
    );
    // The audit's source is the router that served the command, whatever a header claims.
    const ok = await call('/api/batches', {
      method: 'POST',
      body: JSON.stringify(plan('Z2', ['SD1'])),
      headers: { 'x-ecp-client': 'console' },
    });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ id: 'Z2', status: 'awaiting_approval', requestedBy: 'alice' });
    const aliceToken = ((await (await call('/api/me')).json()) as { credentialId: string }).credentialId;
    expect(await db('events').where({ entity_type: 'batch', entity_id: 'Z2' }).first()).toMatchObject({
      actor: 'alice',
      credential_id: aliceToken,
      source: 'api',
    });
  });

  it('four eyes on verified identities: alice holds both roles and still cannot approve her own batch', async () => {
    await db('operator_roles').insert({ operator: 'alice', role: 'approver' });
    try {
      const before = await dump();
      const self = await call('/api/batches/Z2/approve', { method: 'POST', body: '{}' });
      expect(self.status).toBe(403);
      expect((await errorOf(self)).message).toMatch(
        /four eyes: alice planned batch Z2 and cannot approve it/,
      );
      expect(await dump()).toBe(before);
    } finally {
      await db('operator_roles').where({ operator: 'alice', role: 'approver' }).del();
    }
    const bob = await call('/api/batches/Z2/approve', { method: 'POST', token: api.tokens.bob, body: '{}' });
    expect(bob.status).toBe(200);
    expect(await bob.json()).toMatchObject({ id: 'Z2', approvedBy: 'bob' });
    // A state conflict is 409.
    const again = await call('/api/batches/Z2/pause', { method: 'POST', body: '{}' });
    expect(again.status).toBe(409);
    expect((await errorOf(again)).message).toMatch(/only a running batch can be paused/);
  });

  it('a revoked token is refused at once, through the CLI as through the API', async () => {
    const eve = await addOperator(db, 'eve', ['planner', 'support'], 'test');
    expect((await call('/api/me', { token: eve.token })).status).toBe(200);
    const revoked = await runCli(['operator', 'revoke', 'eve'], stack.env);
    expect(revoked.stdout).toMatch(/operator eve: 1 token\(s\) revoked, roles removed/);
    expect(
      await db('events').where({ entity_type: 'operator', entity_id: 'eve', to_state: 'revoked' }).first(),
    ).toMatchObject({ source: 'host' });
    const before = await dump();
    expect((await call('/api/me', { token: eve.token })).status).toBe(401);
    const withEve = await runCli(
      ['batch', 'plan', '--id', 'Z3', '--name', 'x', '--at', '2031-03-10 08:00', '--folders', 'SD2'],
      { ...stack.env, ECP_CUTOVER_TOKEN: eve.token },
    );
    expect(withEve.code).toBe(2);
    expect(withEve.stderr.trim()).toMatch(
      /^error: this token was revoked: sign in with 'ecp-cutover login'.* \(unauthenticated\)$/,
    );
    const notSignedIn = await runCli(
      ['batch', 'plan', '--id', 'Z3', '--name', 'x', '--at', '2031-03-10 08:00', '--folders', 'SD2'],
      stack.env,
    );
    expect(notSignedIn.stderr.trim()).toBe(
      'error: not signed in: set ECP_CUTOVER_TOKEN or run ecp-cutover login (unauthenticated)',
    );
    expect(notSignedIn.code).toBe(2);
    expect(await dump()).toBe(before);
  });
});

describe('the control API: hostile requests', () => {
  it('bad JSON, a bad field, an unknown field and a wrong type are 400 naming the field; nothing changes', async () => {
    const before = await dump();
    const cases: [string, string, RegExp][] = [
      ['/api/batches', '{"id": "Z4",', /not valid JSON/],
      ['/api/batches', JSON.stringify({ ...plan('Z4', ['SD1']), folders: 'SD1' }), /body field 'folders'/],
      [
        '/api/batches',
        JSON.stringify({ ...plan('Z4', ['SD1']), drop: 'table' }),
        /unknown body field\(s\) 'drop'/,
      ],
      ['/api/batches/Z2/reject', JSON.stringify({ reason: 'x' }), /body field 'reason': must say why/],
      ['/api/batches/Z2/reschedule', JSON.stringify({ at: 42 }), /body field 'at'/],
      [
        '/api/batches',
        JSON.stringify(plan("Z'; drop table batches;--", ['SD1'])),
        /batch id .* must be 1-32 letters/,
      ],
    ];
    for (const [p, body, message] of cases) {
      const res = await call(p, {
        method: 'POST',
        token: p.includes('reject') ? api.tokens.bob : undefined,
        body,
      });
      expect(res.status, `${p} ${body}`).toBe(400);
      const e = await errorOf(res);
      expect(e.message, body).toMatch(message);
      expect(e.message).not.toMatch(/\n|select|insert|knex|at \w+ \(/i);
    }
    expect(await dump()).toBe(before);
  });

  it('a body over 1 MiB is 413 (the directory import takes more), and hostile paths are 4xx, never a crash', async () => {
    const big = await call('/api/batches', {
      method: 'POST',
      body: JSON.stringify({ ...plan('Z5', ['SD1']), name: 'x'.repeat(1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    for (const p of [
      '//',
      '/api/batches/%',
      '/api/batches/%E0%A4%A',
      '/api/folders/..%2F..%2Fetc',
      `/api/folders/${'A'.repeat(5000)}`,
      '/api/participants/0%27or%271',
      '/api/../../etc/passwd',
    ]) {
      const res = await call(p);
      expect(res.status, p).toBeGreaterThanOrEqual(400);
      expect(res.status, p).toBeLessThan(500);
    }
    const raw = await call('/api/batches', {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'text/plain' },
    });
    expect(raw.status).toBe(415);
    expect((await call('/healthz', { token: null })).status).toBe(200);
  });

  it('serves its OpenAPI document, listing every route with its roles', async () => {
    const doc = (await (await call('/openapi.json', { token: null })).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { 'x-roles': string[] }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/batches/{id}/approve'].post['x-roles']).toEqual(['approver']);
    expect(doc.paths['/api/batches'].post).toMatchObject({ requestBody: expect.anything() });
  });

  it('repeated failed sign-ins with unknown credentials are 429 for those; a valid credential from the same address still works', async () => {
    // A control API of its own, so that its limiter starts empty.
    const own = await startControlApi({
      deps: app,
      auth: (await import('../../api/auth')).createTokenAuthenticator(app.stores.operators),
    });
    const me = (token: string) =>
      fetch(`${own.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    try {
      expect((await me(api.tokens.alice)).status).toBe(200);
      const statuses = [];
      for (let i = 0; i < 12; i++)
        statuses.push((await me(`ecp_${'0'.repeat(32)}_${'A'.repeat(43)}`)).status);
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
      expect(statuses.slice(10)).toEqual([429, 429]);
      expect(Number((await me('nonsense')).headers.get('retry-after'))).toBeGreaterThan(0);
      // Strangers' failures never lock out an operator: alice (verified before) and bob (never) both sign in.
      expect((await me(api.tokens.alice)).status).toBe(200);
      expect((await me(api.tokens.bob)).status).toBe(200);
    } finally {
      await own.close();
    }
  });
});

describe('no back door through Temporal: commands that did not come from the control API are refused', () => {
  const forger = createCommandSigner(Buffer.alloc(32, 7)); // a key that is not the workers'

  it('an approval sent straight to the batch workflow with a forged approver changes nothing', async () => {
    await call('/api/batches', { method: 'POST', body: JSON.stringify(plan('F1', ['SMMRPT'])) });
    const handle = client.workflow.getHandle<typeof batchMigration>(batchWorkflowId('F1'));
    const { runId } = await handle.describe();
    const before = await dump();
    const historyBefore = (await handle.describe()).historyLength;
    const forged = [
      { approver: 'bob' }, // what the first version took
      forger.sign({
        action: 'batch.approve',
        workflowId: 'batch-F1',
        runId,
        operator: 'bob',
        roles: ['approver'],
        credentialId: 'x',
        source: 'api',
        args: {},
      }),
      {
        ...forger.sign({
          action: 'batch.approve',
          workflowId: 'batch-F1',
          runId,
          operator: 'bob',
          roles: ['approver'],
          credentialId: 'x',
          source: 'api',
          args: {},
        }),
        sig: undefined,
      },
    ];
    for (const command of forged) {
      await expect(handle.executeUpdate(approveBatchUpdate, { args: [command as never] })).rejects.toThrow();
    }
    expect((await handle.query(batchProgressQuery)).status).toBe('awaiting_approval');
    expect(await dump()).toBe(before);
    // The refusals with a wrong signature were decided in the handler, after an activity checked the signature.
    expect((await handle.describe()).historyLength).toBeGreaterThan(historyBefore);
    const refusals = (await handle.fetchHistory()).events
      ?.filter((e) => e.workflowExecutionUpdateCompletedEventAttributes?.outcome?.failure)
      .map((e) => e.workflowExecutionUpdateCompletedEventAttributes!.outcome!.failure!.message);
    expect(refusals?.length).toBeGreaterThan(0);
    for (const m of refusals ?? [])
      expect(m).toMatch(
        /batch.approve refused: the command (was not signed by|carries no signature of) the control API/,
      );
  });

  it('a genuine command captured from one workflow is refused by another, and by the same one a second time', async () => {
    await call('/api/batches', { method: 'POST', body: JSON.stringify(plan('F2', ['SPLPRPT'])) });
    await call('/api/batches/F2/approve', { method: 'POST', token: api.tokens.bob, body: '{}' });
    // The signed approval is in F2's history: a careless engineer (or an attacker) copies it from the UI.
    const history = await client.workflow.getHandle(batchWorkflowId('F2')).fetchHistory();
    const accepted = history.events!.find(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes,
    )!.workflowExecutionUpdateAcceptedEventAttributes!;
    const payload = accepted.acceptedRequest!.input!.args!.payloads![0];
    const captured = JSON.parse(Buffer.from(payload.data!).toString('utf8'));
    expect(captured).toMatchObject({ action: 'batch.approve', operator: 'bob', sig: expect.any(String) });
    const f1 = client.workflow.getHandle<typeof batchMigration>(batchWorkflowId('F1'));
    expect(await refusal(f1.executeUpdate(approveBatchUpdate, { args: [captured] }))).toMatch(
      /the command is for another workflow or run/,
    );
    const f2 = client.workflow.getHandle<typeof batchMigration>(batchWorkflowId('F2'));
    expect(
      await refusal(f2.executeUpdate(approveBatchUpdate, { args: [captured], updateId: uniqueId('replay') })),
    ).toMatch(/was applied already/);
    expect((await f1.query(batchProgressQuery)).status).toBe('awaiting_approval');
    await call('/api/batches/F2/abort', { method: 'POST', body: JSON.stringify({ reason: 'test over' }) });
  });

  it('a batch, a switch-back, a repair and a decommission started by hand are refused and record nothing', async () => {
    const forgedPlan = forger.sign({
      action: 'batch.plan',
      workflowId: 'batch-F3',
      runId: null,
      operator: 'alice',
      roles: ['planner'],
      credentialId: 'x',
      source: 'api',
      args: {
        batchId: 'F3',
        name: 'f',
        folders: ['SD3'],
        failurePolicy: 'continue' as const,
        concurrency: 1,
        maxNotReady: null,
        readinessRecheckMs: 600_000,
        minNoticeMs: 0,
        plannedAt: DateTime.utc().plus({ seconds: 5 }).toISO()!,
        reminderAt: DateTime.utc().toISO()!,
        moveOptions: { freezeWindowMaxMs: 60_000, drainTimeoutMs: 1000 },
      },
    });
    const batch = await client.workflow.execute(batchMigration, {
      taskQueue,
      workflowId: batchWorkflowId('F3'),
      args: [{ command: forgedPlan }],
    });
    expect(batch).toMatchObject({
      status: 'refused',
      reason: expect.stringMatching(/batch.plan refused: the command was not signed by the control API/),
    });
    expect(await db('batches').where({ id: 'F3' })).toEqual([]);
    expect(await db('events').where({ entity_id: 'F3' })).toEqual([]);

    const { result } = await runBatch(app, ['CSCTRD']);
    expect(result.folders.CSCTRD.status).toBe('live');
    const live = await dump();
    const forgedRequest = forger.sign({
      action: 'switch_back.request',
      workflowId: rollbackWorkflowId('CSCTRD'),
      runId: null,
      operator: 'alice',
      roles: ['planner'],
      credentialId: 'x',
      source: 'api',
      args: {
        folderCode: 'CSCTRD',
        reason: 'forged',
        approvalTimeoutMs: 60_000,
        moveOptions: { freezeWindowMaxMs: 60_000, drainTimeoutMs: 1000 },
      },
    });
    const rollback = await client.workflow.execute(folderRollback, {
      taskQueue,
      workflowId: rollbackWorkflowId('CSCTRD'),
      args: [{ command: forgedRequest }],
    });
    expect(rollback).toMatchObject({
      status: 'refused',
      outcome: expect.stringMatching(/not signed by the control API/),
    });

    const forgedRepair = forger.sign({
      action: 'repair.request',
      workflowId: repairWorkflowId('CSCTRD'),
      runId: null,
      operator: 'alice',
      roles: ['planner'],
      credentialId: 'x',
      source: 'api',
      args: { folderCode: 'CSCTRD', to: 'legacy' as const, reason: 'forged', approvalTimeoutMs: 60_000 },
    });
    const repair = await client.workflow.execute(folderRepair, {
      taskQueue,
      workflowId: repairWorkflowId('CSCTRD'),
      args: [{ command: forgedRepair }],
    });
    expect(repair).toMatchObject({
      status: 'refused',
      outcome: expect.stringMatching(/repair.request refused: the command was not signed by the control API/),
    });
    expect(await db('events').where({ workflow_id: repairWorkflowId('CSCTRD') })).toEqual([]);

    const forgedSchedule = forger.sign({
      action: 'decommission.schedule',
      workflowId: DECOMMISSION_WORKFLOW_ID,
      runId: null,
      operator: 'alice',
      roles: ['planner'],
      credentialId: 'x',
      source: 'api',
      args: {
        plannedAt: DateTime.utc().plus({ days: 60 }).toISO()!,
        reminderAts: [],
        quietPeriodMs: 0,
        recheckMs: 60_000,
      },
    });
    const decommission = await client.workflow.execute(decommissionLegacy, {
      taskQueue,
      workflowId: DECOMMISSION_WORKFLOW_ID,
      args: [{ command: forgedSchedule }],
    });
    expect(decommission).toMatchObject({
      status: 'refused',
      reason: expect.stringMatching(/not signed by the control API/),
    });
    expect(await dump()).toBe(live);
    expect(await db('events').where({ workflow_id: rollbackWorkflowId('CSCTRD') })).toEqual([]);
  });

  it('a switch-back approval sent straight to Temporal with a forged approver is refused', async () => {
    await call('/api/folders/CSCTRD/switch-back', {
      method: 'POST',
      body: JSON.stringify({ reason: 'ECP 2.0 rejects the files' }),
    });
    const handle = client.workflow.getHandle<typeof folderRollback>(rollbackWorkflowId('CSCTRD'));
    const { runId } = await handle.describe();
    const before = await dump();
    expect(
      await refusal(
        handle.executeUpdate(approveRollbackUpdate, {
          args: [
            forger.sign({
              action: 'switch_back.approve',
              workflowId: rollbackWorkflowId('CSCTRD'),
              runId,
              operator: 'bob',
              roles: ['approver'],
              credentialId: 'x',
              source: 'api',
              args: {},
            }),
          ],
        }),
      ),
    ).toMatch(/switch_back.approve refused: the command was not signed by the control API/);
    expect((await handle.query('status')) as { status: string }).toMatchObject({
      status: 'awaiting_approval',
    });
    expect(await dump()).toBe(before);
    await call('/api/folders/CSCTRD/switch-back/reject', {
      method: 'POST',
      token: api.tokens.bob,
      body: JSON.stringify({ reason: 'test over' }),
    });
  });
});

describe('least privilege in PostgreSQL: each process its own role', () => {
  const passwords = inject('dbRolePasswords');
  const as = async (role: keyof typeof DB_ROLES, sql: string) => {
    const c = new pg.Client({ connectionString: urlAs(url, DB_ROLES[role], passwords[role]) });
    await c.connect();
    try {
      return await c.query(sql);
    } finally {
      await c.end();
    }
  };

  it('the portal reads the public views and nothing else', async () => {
    expect((await as('portal', 'select count(*)::int as n from portal.folders')).rows[0].n).toBeGreaterThan(
      40,
    );
    for (const sql of [
      'select * from public.folders',
      'select * from public.participants',
      'select * from public.events',
      'select * from public.operator_tokens',
      'select * from public.batches',
    ]) {
      await expect(as('portal', sql), sql).rejects.toThrow(/permission denied/);
    }
    // Batches are public once approved: one only planned is not in the portal's view.
    const visible = (await as('portal', 'select id from portal.batches')).rows.map((r) => r.id);
    expect(visible).toContain('Z2');
    expect(visible).not.toContain('F1');
  });

  it('nobody but the owner can change the audit trail; the API cannot write batches or folders, nor grant roles', async () => {
    for (const role of ['api', 'worker', 'portal'] as const) {
      for (const sql of ["update events set actor = 'mallory'", 'delete from events', 'truncate events']) {
        await expect(as(role, sql), `${role}: ${sql}`).rejects.toThrow(/permission denied/);
      }
    }
    for (const sql of [
      "update folders set placement = 'live'",
      "insert into operator_roles values ('alice', 'approver')",
      "update batches set approved_by = 'alice'",
      'update operator_tokens set revoked_at = null',
    ]) {
      await expect(as('api', sql), sql).rejects.toThrow(/permission denied/);
    }
    await expect(as('worker', "insert into operator_roles values ('alice', 'approver')")).rejects.toThrow(
      /permission denied/,
    );
    await expect(as('worker', 'delete from participants')).rejects.toThrow(/permission denied/);
    // What each needs, it has.
    expect((await as('api', 'select count(*)::int as n from batches')).rows[0].n).toBeGreaterThan(0);
    expect((await as('worker', 'select count(*)::int as n from events')).rows[0].n).toBeGreaterThan(0);
  });
});

describe('OIDC mode: the identity provider’s JWTs', () => {
  it('verifies signature, issuer, audience and expiry; takes the name and roles from the claims', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const other = await generateKeyPair('RS256');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oidc-'));
    const jwks = path.join(dir, 'jwks.json');
    fs.writeFileSync(
      jwks,
      JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] }),
    );
    const issuer = 'https://login.hkex.example';
    const audience = 'ecp-cutover';
    const oidc = await startControlApi({
      deps: app,
      auth: createOidcAuthenticator(app.stores.operators, {
        issuer,
        audience,
        jwksUrl: `file://${jwks}`,
        nameClaim: 'preferred_username',
        rolesClaim: 'roles',
      }),
    });
    const jwt = (
      claims: Record<string, unknown>,
      opts: {
        key?: Parameters<SignJWT['sign']>[0];
        iss?: string;
        aud?: string;
        exp?: string | number;
        sub?: string;
      } = {},
    ) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(opts.iss ?? issuer)
        .setAudience(opts.aud ?? audience)
        .setSubject(opts.sub ?? 'u-olivia')
        .setIssuedAt()
        .setExpirationTime(opts.exp ?? '5m')
        .setJti(uniqueId('jti'))
        .sign(opts.key ?? privateKey);
    const me = (token: string) =>
      fetch(`${oidc.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    try {
      const good = await me(await jwt({ preferred_username: 'olivia', roles: ['planner', 'superuser'] }));
      expect(good.status).toBe(200);
      expect(await good.json()).toMatchObject({
        name: 'olivia',
        roles: ['planner'],
        credentialId: expect.stringMatching(/^jwt:jti-/),
      });
      const refused: [string, string][] = [
        [
          'expired',
          await jwt(
            { preferred_username: 'olivia', roles: ['planner'] },
            { exp: Math.floor(Date.now() / 1000) - 60 },
          ),
        ],
        [
          'wrong audience',
          await jwt({ preferred_username: 'olivia', roles: ['planner'] }, { aud: 'someone-else' }),
        ],
        [
          'wrong issuer',
          await jwt({ preferred_username: 'olivia', roles: ['planner'] }, { iss: 'https://evil.example' }),
        ],
        [
          'signed by another key',
          await jwt({ preferred_username: 'olivia', roles: ['planner'] }, { key: other.privateKey }),
        ],
        [
          'unsigned',
          new UnsecuredJWT({ preferred_username: 'olivia', roles: ['planner', 'approver'] })
            .setIssuer(issuer)
            .setAudience(audience)
            .setExpirationTime('5m')
            .encode(),
        ],
        [
          'not an operator name',
          await jwt({ preferred_username: "Robert'); drop table", roles: ['planner'] }),
        ],
      ];
      for (const [what, token] of refused) expect((await me(token)).status, what).toBe(401);
      // A token without an expiry is refused; so is one older than 12 hours.
      const forever = await new SignJWT({ preferred_username: 'olivia', roles: ['planner'] })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject('u-olivia')
        .sign(privateKey);
      expect((await me(forever)).status).toBe(401);
      // The name is bound to its first identity: another subject cannot take it by renaming itself at the provider.
      const impostor = await me(
        await jwt({ preferred_username: 'olivia', roles: ['approver'] }, { sub: 'u-mallory' }),
      );
      expect(impostor.status).toBe(401);
      expect((await errorOf(impostor)).message).toMatch(/the name 'olivia' belongs to another identity/);
      expect(
        (await me(await jwt({ preferred_username: 'olive', roles: ['approver'] }, { sub: 'u-olivia' })))
          .status,
      ).toBe(401);
      // Revoked by an administrator: refused at once, whatever the provider says.
      await runCli(['operator', 'revoke', 'olivia'], stack.env);
      expect((await me(await jwt({ preferred_username: 'olivia', roles: ['planner'] }))).status).toBe(401);
      // Roles come from the claims: a support-only token cannot plan.
      const support = await jwt({ preferred_username: 'sven', roles: 'support' }, { sub: 'u-sven' });
      const res = await fetch(`${oidc.url}/api/batches`, {
        method: 'POST',
        headers: { authorization: `Bearer ${support}`, 'content-type': 'application/json' },
        body: JSON.stringify(plan('O1', ['SD2'])),
      });
      expect(res.status).toBe(403);
    } finally {
      await oidc.close();
    }
  });
});
