import { describe, expect, it } from 'vitest';
import {
  appendix,
  findParticipants,
  folderDetail,
  listEvents,
  listFolders,
  participantView,
  readinessReport,
} from '../../app/reads';
import { listDrifts } from '../../app/reconcile';
import { InputError, NotFoundError } from '../../domain/errors';
import { cutoverWorkflowId } from '../../domain/workflow-ids';
import { fakeApp } from '../support/fakes/app';
import { fakeGateway } from '../support/fakes/gateway';
import { at, drift, event, folder, notice, participant, run, user, world } from '../support/fakes/world';

describe('the reads (app/reads.ts): rows mapped to what the API carries', () => {
  const folders = () =>
    world({
      folders: [folder('SD1', { placement: 'live', liveSince: at(30) }), folder('SD2')],
      runs: [
        run('SD1', 'rollback-SD1', {
          kind: 'rollback',
          status: 'compensated',
          finishedAt: at(40),
          freezeWindowMs: 800,
          failure: 'ECP 2.0 refused',
        }),
      ],
      drifts: [drift('SD1', 'legacy_visibility', { resolvedAt: at(50) }), drift('SD1', 'open_on_both')],
      events: [
        event('folder', 'SD1', {
          to: 'rollback_requested',
          reason: 'wrong day',
          workflowId: 'rollback-SD1',
          at: at(35),
        }),
        event('folder', 'SD1', {
          actor: 'bob',
          to: 'rollback_rejected',
          workflowId: 'rollback-SD1',
          at: at(36),
        }),
        event('folder', 'SD1', {
          actor: 'dora',
          to: 'repair_requested',
          reason: 'to live: stuck',
          workflowId: 'repair-SD1',
          at: at(37),
        }),
      ],
    });

  it('a folder: its row, moves, last events and drift as ISO instants, and the requests awaiting a second operator', async () => {
    const d = await folderDetail(fakeApp(folders()), 'sd1');
    expect(d.folder).toMatchObject({
      code: 'SD1',
      placement: 'live',
      placementChangedAt: at(0).toISOString(),
      liveSince: at(30).toISOString(),
      plannedBatch: null,
      drifts: ['open_on_both'],
    });
    expect(d.runs).toEqual([
      {
        kind: 'rollback',
        batchId: null,
        workflowId: 'rollback-SD1',
        status: 'compensated',
        step: 'begin',
        startedAt: at(1).toISOString(),
        finishedAt: at(40).toISOString(),
        freezeWindowMs: 800,
        failure: 'ECP 2.0 refused',
      },
    ]);
    expect(d.events.map((e) => [e.id, e.to, e.at])).toEqual([
      [3, 'repair_requested', at(37).toISOString()],
      [2, 'rollback_rejected', at(36).toISOString()],
      [1, 'rollback_requested', at(35).toISOString()],
    ]);
    expect(d.drifts.map((x) => [x.kind, x.resolvedAt])).toEqual([
      ['open_on_both', null],
      ['legacy_visibility', at(50).toISOString()],
    ]);
    // The switch-back was rejected after its request: only the repair awaits.
    expect(d.pending).toEqual([
      { kind: 'repair', requestedBy: 'dora', reason: 'to live: stuck', at: at(37).toISOString() },
    ]);
    await expect(folderDetail(fakeApp(folders()), 'NOPE')).rejects.toThrow(NotFoundError);
    await expect(folderDetail(fakeApp(folders()), 'SD1%')).rejects.toThrow(
      new InputError("'SD1%' is not a folder code: letters, digits and -, at most 16"),
    );
  });

  it('lists folders, by placement if asked (a placement it does not know is refused)', async () => {
    expect((await listFolders(fakeApp(folders()), { status: 'legacy' })).map((f) => f.code)).toEqual(['SD2']);
    await expect(listFolders(fakeApp(folders()), { status: 'lost' })).rejects.toThrow(
      /status 'lost' is not a placement/,
    );
  });

  const firm = () =>
    world({
      folders: [
        folder('SD1'),
        folder('SD2', { placement: 'live', liveSince: at(30) }),
        folder('DX1', { userTypes: ['HKFE_EP'] }),
      ],
      drifts: [drift('SD2', 'open_on_both')],
      participants: [participant('00100', { nameZh: '' })],
      users: [user('00100', 'a@one.example', ['EU_ECPCASH'], { role: 'admin' })],
      sftp: [{ participant: '00100', folder: 'SD2' }],
      notices: [
        notice('00100', 'batch_announced', 'B1@1', {
          status: 'sent',
          sentAt: at(9),
          messageId: '<m1>',
          folders: ['SD2'],
          attempts: [{ at: at(9), outcome: 'sent', smtp: '250 ok' }],
        }),
      ],
    });

  it('a firm from the imported directory when Client Connect cannot be read: its folders with readiness and drift, its notices', async () => {
    const v = await participantView(
      fakeApp(firm(), {
        gateway: fakeGateway({ clientConnect: new Error('503 from the admin API') }).gateway,
      }),
      '00100',
    );
    expect(v.participant).toEqual({
      code: '00100',
      nameEn: 'Firm 00100 Limited',
      nameZh: '',
      userTypes: ['SEHK_EP'],
      emails: ['ops00100@firm.example'],
      language: 'en',
      users: 1,
    });
    expect(v.users).toMatchObject({
      source: 'directory',
      fallback: 'Client Connect could not be read (503 from the admin API)',
      disagreesWithDirectory: false,
      directory: undefined,
    });
    expect(v.users.adminWarning).toMatch(/fewer than two|one ECP administrator|administrator/);
    // DX1 is for another user type; SD2 is submitted by SFTP, which needs EU_ECPSFTP.
    expect(v.folders).toEqual([
      {
        code: 'SD1',
        name: 'Folder SD1',
        placement: 'legacy',
        liveSince: null,
        ready: true,
        missing: null,
        drifts: [],
      },
      {
        code: 'SD2',
        name: 'Folder SD2',
        placement: 'live',
        liveSince: at(30).toISOString(),
        ready: false,
        missing: expect.stringContaining('EU_ECPSFTP'),
        drifts: ['open_on_both'],
      },
    ]);
    expect(v.notices).toEqual([
      {
        kind: 'batch_announced',
        subject: 'B1@1',
        status: 'sent',
        to: ['ops00100@firm.example'],
        folders: ['SD2'],
        sentAt: at(9).toISOString(),
        messageId: '<m1>',
        attempts: [{ at: at(9).toISOString(), outcome: 'sent', smtp: '250 ok' }],
      },
    ]);
  });

  it("a firm as Client Connect has it, with the directory's view when the two disagree", async () => {
    const cc = [
      {
        code: '00100',
        users: [
          {
            email: 'b@one.example',
            role: 'operator' as const,
            functions: [],
            sftpKeyRegistered: false,
            ipRegistered: false,
          },
        ],
      },
    ];
    const v = await participantView(
      fakeApp(firm(), { gateway: fakeGateway({ clientConnect: cc }).gateway }),
      '00100',
    );
    expect(v.users).toMatchObject({
      source: 'client_connect',
      fallback: null,
      list: cc[0].users,
      disagreesWithDirectory: true,
      directory: [expect.objectContaining({ email: 'a@one.example' })],
    });
    expect(v.folders.map((f) => f.ready)).toEqual([false, false]);
    await expect(participantView(fakeApp(firm()), '100')).rejects.toThrow(InputError);
    await expect(participantView(fakeApp(firm()), '00999')).rejects.toThrow(NotFoundError);
  });

  it('finds firms with 2 to 100 characters of a code or a name', async () => {
    expect(await findParticipants(fakeApp(firm()), ' limited ')).toEqual([
      { code: '00100', nameEn: 'Firm 00100 Limited', nameZh: '', userTypes: ['SEHK_EP'] },
    ]);
    await expect(findParticipants(fakeApp(firm()), 'x')).rejects.toThrow(InputError);
  });

  it('serves Appendix 7.3 in the formats the portal has, and no other', async () => {
    const app = fakeApp(world({ folders: [folder('SD1', { placement: 'live', liveSince: at(0) })] }));
    expect(await appendix(app, 'csv')).toContain('SD1');
    await expect(appendix(app, 'pdf')).rejects.toThrow("format must be md, html or csv, not 'pdf'");
    await expect(appendix(app, 'constructor')).rejects.toThrow(InputError);
  });

  it('a readiness report of a batch that exists', async () => {
    await expect(readinessReport(fakeApp(firm()), 'B1')).rejects.toThrow(new NotFoundError('no batch B1'));
  });

  it('drift: the open episodes (all: every kind, the last 200) and the last pass', async () => {
    const w = world({
      folders: [folder('SD1')],
      drifts: [drift('SD1', 'open_on_both', { resolvedAt: at(9) }), drift('SD1', 'stuck_in_flight')],
      passes: [
        {
          trigger: 'schedule',
          startedAt: at(10),
          finishedAt: new Date(at(10).getTime() + 1500),
          openDrifts: 1,
        },
      ],
    });
    expect(await listDrifts(fakeApp(w))).toEqual({
      lastPass: {
        trigger: 'schedule',
        at: new Date(at(10).getTime() + 1500).toISOString(),
        durationMs: 1500,
        openDrifts: 1,
      },
      drifts: [
        {
          folder: 'SD1',
          kind: 'stuck_in_flight',
          detail: 'stuck_in_flight on SD1',
          action: null,
          detectedAt: at(3).toISOString(),
          resolvedAt: null,
        },
      ],
    });
    expect((await listDrifts(fakeApp(w), { all: true })).drifts.map((d) => d.kind)).toEqual([
      'stuck_in_flight',
      'open_on_both',
    ]);
    expect((await listDrifts(fakeApp(world({})))).lastPass).toBeNull();
  });
});

describe('the audit trail (app/reads.ts listEvents): 50 a page, one filter at a time', () => {
  const trail = () =>
    world({
      participants: [participant('00100')],
      events: [
        ...Array.from({ length: 60 }, (_, i) =>
          event('folder', i % 2 ? 'SD1' : 'SD2', { at: at(i), actor: i % 3 ? 'alice' : 'bob' }),
        ),
        event('batch', 'B1', { at: at(61), to: 'approved' }),
        event('folder', 'SD1', { at: at(62), workflowId: cutoverWorkflowId('B1', 'SD1'), to: 'live' }),
      ],
      notices: [
        notice('00100', 'batch_announced', 'B1@1', {
          attempts: [
            { at: at(1), outcome: 'failed', smtp: '451 later' },
            { at: at(2), outcome: 'sent', smtp: '250 ok' },
          ],
        }),
      ],
    });

  it('pages newest first', async () => {
    const app = fakeApp(trail());
    const first = await listEvents(app, {});
    expect(first).toHaveLength(50);
    expect(first[0]).toMatchObject({ id: 62, to: 'live' });
    expect((await listEvents(app, { page: 2 })).map((e) => e.id)).toEqual(
      Array.from({ length: 12 }, (_, i) => 12 - i),
    );
    expect(await listEvents(app, { page: 3 })).toEqual([]);
  });

  it("filters by folder (any case), operator, or batch with its folders' cutovers", async () => {
    const app = fakeApp(trail());
    expect(
      (await listEvents(app, { folder: 'sd1' })).every(
        (e) => e.entityType === 'folder' && e.entityId === 'SD1',
      ),
    ).toBe(true);
    expect((await listEvents(app, { operator: 'bob' })).map((e) => e.actor)).toEqual(Array(20).fill('bob'));
    expect((await listEvents(app, { batch: 'B1' })).map((e) => e.id)).toEqual([62, 61]);
  });

  it("a firm's trail is its notices' delivery attempts", async () => {
    expect(await listEvents(fakeApp(trail()), { participant: '00100' })).toEqual([
      {
        id: 2,
        at: at(2).toISOString(),
        actor: 'system',
        entityType: 'notice',
        entityId: 'batch_announced',
        from: null,
        to: 'sent',
        reason: '250 ok',
        workflowId: null,
      },
      {
        id: 1,
        at: at(1).toISOString(),
        actor: 'system',
        entityType: 'notice',
        entityId: 'batch_announced',
        from: null,
        to: 'failed',
        reason: '451 later',
        workflowId: null,
      },
    ]);
  });

  it('refuses two filters at once, a page that is no whole number from 1, and a participant that is no code', async () => {
    const app = fakeApp(trail());
    await expect(listEvents(app, { folder: 'SD1', operator: 'bob' })).rejects.toThrow(
      'give at most one of folder, batch, participant, operator',
    );
    for (const page of [0, 1.5, 100_001])
      await expect(listEvents(app, { page })).rejects.toThrow('page must be a whole number from 1');
    await expect(listEvents(app, { participant: 'abc' })).rejects.toThrow(InputError);
  });
});
