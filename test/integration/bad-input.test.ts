import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { planBatch, rejectBatch } from '../../app/batches';
import { addOperator } from '../../stores/operator-store';
import { alice, bob, operator } from '../support/batches';
import { startPortal } from '../../portal/server';
import { importGeneratedDirectory } from '../../stores/directory-store';
import { runCli } from '../support/cli';
import { dumpDatabase } from '../support/db';
import { cutoverStack } from '../support/stack';

/**
 * The bad-input catalogue: malformed and forbidden commands through the real CLI and the
 * portal. Each gets one clear line (exit code 2) or an HTTP 4xx with a reason, and the database is
 * byte-for-byte what it was: a logical dump of every table of every schema, and every sequence, before and
 * after each input. The batch workflow it talks to must not change either (a refused Update writes nothing
 * to its history).
 */
const stack = await cutoverStack();
const { db, client, app, api } = stack;
await stack.runWorker();
await importGeneratedDirectory(db, 40, 1, stack.gateway);
const env = stack.env;
const dora = operator('dora', 'planner', 'approver');
const doraToken = (await addOperator(db, 'dora', dora.roles, 'test')).token;
const tokens = { ...api.tokens, dora: doraToken };

// B9 awaits approval (SD3); B8 (SD2) was rejected (final). Both planned by alice, a planner. B7 (CSCTRD)
// awaits approval too, planned by dora, who is a planner and an approver (she still may not approve it).
const inTenDays = DateTime.utc().plus({ days: 10 }).toISO();
await planBatch(app, dora, {
  id: 'B7',
  name: 'seven',
  at: inTenDays,
  folders: ['CSCTRD'],
  concurrency: 2,
  allowNonBusinessDay: true,
});
await planBatch(app, alice, {
  id: 'B9',
  name: 'nine',
  at: inTenDays,
  folders: ['SD3'],
  concurrency: 2,
  allowNonBusinessDay: true,
});
await planBatch(app, alice, {
  id: 'B8',
  name: 'eight',
  at: inTenDays,
  folders: ['SD2'],
  concurrency: 2,
  allowNonBusinessDay: true,
});
await rejectBatch(app, bob, 'B8', 'not this week');
const b8 = client.workflow.getHandle('batch-B8');
await b8.result();

const historyLength = async (id: string) => (await client.workflow.getHandle(id).describe()).historyLength;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-input-'));
const file = (name: string, text: string) => (
  fs.writeFileSync(path.join(dir, name), text),
  path.join(dir, name)
);
const participantsHeader = 'code,name_en,name_zh,user_types,emails,language,sftp_folders\n';
const usersHeader = 'participant_code,email,role,functions,sftp_key_registered,ip_registered\n';
const goodParticipants = file(
  'p.csv',
  `${participantsHeader}99001,Big Firm Ltd,大公司,SEHK_EP,ecp@big.example,both,\n`,
);
const tooManyUsers = file(
  'u21.csv',
  usersHeader +
    Array.from({ length: 21 }, (_, i) => `99001,op${i}@big.example,operator,EU_ECPCASH,false,false\n`).join(
      '',
    ),
);
const badCode = file(
  'pbad.csv',
  `${participantsHeader}1234,Short Code Ltd,短,SEHK_EP,ecp@short.example,both,\n`,
);
const goodUsers = file('u.csv', `${usersHeader}99001,admin@big.example,admin,,false,false\n`);
const gcpAndClient = file(
  'pgcp.csv',
  `${participantsHeader}99002,Clearing Ltd,結算,HKSCC_GCP,ecp@gcp.example,both,\n99003,Client Ltd,客戶,NCP,ecp@ncp.example,en,\n`,
);
const sharedAddress = file(
  'ugcp.csv',
  `${usersHeader}99002,ops@gcp.example,operator,EU_ECPHKSCC,false,false\n99003,ops@gcp.example,admin,,false,false\n`,
);

const nextDays = (n: number) =>
  DateTime.utc().setZone('Asia/Hong_Kong').plus({ days: n }).toFormat('yyyy-MM-dd 18:00');
const plan = (over: Record<string, string>, ...flags: string[]) => {
  const o = {
    '--id': 'B10',
    '--name': 'ten',
    '--at': nextDays(10),
    '--folders': 'SD1',
    '--as': 'alice',
    ...over,
  };
  return ['batch', 'plan', ...Object.entries(o).flat(), '--allow-non-business-day', ...flags];
};

// [what, arguments, extra environment, the message that must be in the one line]
const CLI_CASES: [string, string[], Record<string, string>, RegExp][] = [
  ['unknown folder', plan({ '--folders': 'NOPE1' }), {}, /NOPE1/],
  ['folder already planned (I4)', plan({ '--folders': 'SD3' }), {}, /SD3.*(B9|planned)/],
  ['time in the past', plan({ '--at': '2022-06-06 18:00' }), {}, /past/],
  [
    'Hong Kong public holiday',
    [...plan({ '--at': '2027-10-01 18:00' })].filter((a) => a !== '--allow-non-business-day'),
    {},
    /holiday|National Day/i,
  ],
  [
    'weekend',
    [...plan({ '--at': '2027-10-02 18:00' })].filter((a) => a !== '--allow-non-business-day'),
    {},
    /Saturday|weekend/i,
  ],
  ['inside the notice period', plan({ '--at': nextDays(2) }), {}, /notice period/],
  ['unreadable time', plan({ '--at': 'tomorrow evening' }), {}, /tomorrow evening/],
  ['batch id already used', plan({ '--id': 'B9' }), {}, /B9 already exists/],
  ['SQL-ish batch id', plan({ '--id': "B1'; drop table batches;--" }), {}, /must be 1-32 letters/],
  [
    'SQL-ish folder list',
    plan({ '--folders': "SD1'; drop table folders;--" }),
    {},
    /not in the catalog|unknown folder/,
  ],
  ['zero concurrency', plan({ '--concurrency': '0' }), {}, /concurrency/],
  ['unknown failure policy', plan({ '--on-failure': 'retry' }), {}, /continue or halt/],
  ['readiness limit over 100%', plan({ '--max-not-ready': '150%' }), {}, /max-not-ready/],
  ['planner who is not a planner', plan({ '--as': 'carol' }), {}, /carol/],
  [
    'not signed in',
    plan({ '--as': 'mallory' }),
    {},
    /not signed in: set ECP_CUTOVER_TOKEN or run ecp-cutover login/,
  ],
  [
    '--as someone else than the signed-in operator',
    ['batch', 'approve', 'B9', '--as', 'bob'],
    { ECP_CUTOVER_TOKEN: 'alice' },
    /signed in as alice, not bob/,
  ],
  [
    'a token that is not one',
    ['folders'],
    { ECP_CUTOVER_TOKEN: 'ecp_not_a_token' },
    /not a token of this control API/,
  ],
  ['self-approval (I5)', ['batch', 'approve', 'B7', '--as', 'dora'], {}, /four eyes: dora planned batch B7/],
  [
    'approval by a non-approver',
    ['batch', 'approve', 'B9', '--as', 'carol'],
    {},
    /carol.*approver|not an approver/,
  ],
  ['approval of an unknown batch', ['batch', 'approve', 'B404', '--as', 'bob'], {}, /no batch B404/],
  [
    'abort of a finished batch',
    ['batch', 'abort', 'B8', '--as', 'alice'],
    {},
    /batch B8 is rejected: it has finished/,
  ],
  [
    'pause of a batch that is not running',
    ['batch', 'pause', 'B9', '--as', 'alice'],
    {},
    /only a running batch/,
  ],
  [
    'resume of a batch that is not paused',
    ['batch', 'resume', 'B9', '--as', 'alice'],
    {},
    /only a paused batch/,
  ],
  [
    'readiness override of a batch not blocked',
    ['batch', 'override-readiness', 'B9', '--as', 'bob', '--reason', 'go ahead'],
    {},
    /only a batch blocked on readiness/,
  ],
  [
    'reschedule into the past',
    ['batch', 'reschedule', 'B9', '--at', '2022-01-03 10:00', '--as', 'alice'],
    {},
    /past/,
  ],
  [
    'switch-back of a folder not live',
    ['folder', 'rollback', 'SD3', '--reason', 'broken upload', '--as', 'alice'],
    {},
    /not live/,
  ],
  [
    'switch-back without a reason',
    ['folder', 'rollback', 'SD3', '--reason', 'x', '--as', 'alice'],
    {},
    /reason.*must say why/,
  ],
  [
    'decommission in the past',
    ['decommission', 'schedule', '--at', '2022-12-30 18:00', '--as', 'alice'],
    {},
    /past/,
  ],
  [
    'decommission too early for the reminders',
    ['decommission', 'schedule', '--at', nextDays(12), '--as', 'alice'],
    {},
    /too early/,
  ],
  [
    'approval of a decommission never scheduled',
    ['decommission', 'approve', '--as', 'bob'],
    {},
    /no decommission is scheduled/,
  ],
  [
    'firm with 21 users (FAQ B.11)',
    ['directory', 'import', '--participants', goodParticipants, '--users', tooManyUsers],
    {},
    /more than 20 users/,
  ],
  [
    "a GCP's user also a user of its NCP client (FAQ B.13)",
    ['directory', 'import', '--participants', gcpAndClient, '--users', sharedAddress],
    {},
    /ops@gcp\.example is a user of General Clearing Participant 99002 and cannot also be one of its Non-Clearing Participant client 99003: .*different address .*\(FAQ B\.13\)/,
  ],
  [
    'participant code of 4 digits',
    ['directory', 'import', '--participants', badCode, '--users', goodUsers],
    {},
    /participants line 2, code/,
  ],
  [
    'directory file missing',
    ['directory', 'import', '--participants', '/nonexistent.csv', '--users', goodUsers],
    {},
    /no such file/,
  ],
  ['SQL-ish participant code', ['participant', "0'or'1'='1"], {}, /not a participant code/],
  ['page zero of the event log', ['events', '--page', '0'], {}, /--page/],
  ['two filters on the event log', ['events', '--folder', 'SD1', '--batch', 'B9'], {}, /at most one/],
  ['appendix in an unknown format', ['appendix', '--format', 'pdf'], {}, /md, html or csv/],
  ['bad configuration value', ['folders'], { MIN_NOTICE: 'a week' }, /MIN_NOTICE/],
];

describe('bad input changes nothing', () => {
  it(`the CLI answers ${CLI_CASES.length} bad inputs with one clear line and exit code 2`, async () => {
    expect(new Set(CLI_CASES.map((c) => c[0])).size).toBe(CLI_CASES.length);
    const histories = [await historyLength('batch-B9'), await historyLength('batch-B7')];
    for (const [what, args, extraEnv, message] of CLI_CASES) {
      const before = await dumpDatabase(db);
      // Signed in as the operator --as names (alice if none); an ECP_CUTOVER_TOKEN naming an operator is theirs.
      const as = args.includes('--as') ? args[args.indexOf('--as') + 1] : 'alice';
      const token = extraEnv.ECP_CUTOVER_TOKEN
        ? (tokens[extraEnv.ECP_CUTOVER_TOKEN as keyof typeof tokens] ?? extraEnv.ECP_CUTOVER_TOKEN)
        : (tokens[as as keyof typeof tokens] ?? '');
      const r = await runCli(args, { ...env, ...extraEnv, ECP_CUTOVER_TOKEN: token });
      const lines = r.stderr.trim().split('\n');
      expect(r.code, `${what}: ${r.stderr}${r.stdout}`).toBe(2);
      expect(lines, `${what}: ${r.stderr}`).toHaveLength(1);
      expect(lines[0], what).toMatch(message);
      expect(await dumpDatabase(db), `${what} changed the database`).toBe(before);
    }
    expect([await historyLength('batch-B9'), await historyLength('batch-B7')]).toEqual(histories);
    expect((await client.workflow.getHandle('batch-B9').describe()).status.name).toBe('RUNNING');
  }, 180_000);

  it('the portal answers bad requests with a 4xx and a one-line reason', async () => {
    const portal = await startPortal({ db, port: 0 });
    const cases: [string, string, number, RegExp][] = [
      ['GET', '/api/folders?placement=moved', 400, /placement must be one of/],
      ['GET', "/api/folders?q=' or 1=1--&sort=code", 400, /unknown query parameter\(s\) 'sort'/],
      ['GET', `/api/folders?q=${'x'.repeat(101)}`, 400, /at most 100 characters/],
      ['GET', `/api/folders?market=${'m'.repeat(101)}`, 400, /at most 100 characters/],
      ['GET', "/api/folders/SD1'%3B%20drop%20table%20folders--", 400, /letters, digits and -/],
      ['GET', '/api/folders/NOPE1', 404, /no folder NOPE1/],
      ['GET', '/api/folders/SD1?verbose=1', 400, /unknown query parameter\(s\) 'verbose'/],
      ['GET', '/api/batches?all=1', 400, /unknown query parameter\(s\) 'all'/],
      ['GET', '/appendix/7.4', 404, /no such endpoint/],
      ['POST', '/api/folders', 405, /POST is not allowed here: use GET, HEAD/],
      ['DELETE', '/api/folders/SD1', 405, /DELETE is not allowed here: use GET, HEAD/],
    ];
    try {
      for (const [method, p, status, message] of cases) {
        const before = await dumpDatabase(db);
        const res = await fetch(portal.url + p, { method });
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect(res.status, `${method} ${p}`).toBe(status);
        expect(body.error.message, `${method} ${p}`).toMatch(message);
        expect(body.error.message).not.toContain('\n');
        expect(await dumpDatabase(db), `${method} ${p} changed the database`).toBe(before);
      }
    } finally {
      await portal.close();
    }
  });
});
