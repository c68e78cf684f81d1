import { describe, expect, it } from 'vitest';
import { cutoverWorkflowId } from '../../domain/workflow-ids';
import type { PlatformGateway } from '../../platform/gateway';
import type { AppStores } from '../../stores/app-stores';
import { fakeGateway } from '../support/fakes/gateway';
import {
  at,
  batch,
  drift,
  event,
  folder,
  member,
  notice,
  participant,
  run,
  user,
  world,
  type World,
} from '../support/fakes/world';

/** Stores over a world: the knex ones after it was written to PostgreSQL, or the in-memory fakes. */
export type OpenStores = (w: World, gateway?: PlatformGateway) => Promise<AppStores>;

/**
 * What the application layer relies on of its stores, held against both implementations: the knex stores on
 * PostgreSQL (test/integration/stores/app-stores.test.ts) and the in-memory fakes its unit tests run on
 * (test/unit/store-fakes.test.ts). A fake that passes these answers as PostgreSQL does.
 */
export function appStoresContract(backend: string, open: OpenStores): void {
  describe(`FolderStore (${backend})`, () => {
    const w = () =>
      world({
        operators: [{ name: 'alice', roles: ['planner'] }],
        folders: [
          folder('SD1'),
          folder('SD2', { placement: 'live', liveSince: at(10) }),
          folder('DX1', { market: 'Derivatives', nameEn: 'Options Daily 100% Report' }),
          folder('CA1', { nameZh: '現金報告' }),
        ],
        batches: [batch('B1'), batch('B0', { status: 'completed', plannedAt: at(5) })],
        batchFolders: [member('B1', 'SD1'), member('B0', 'SD2', { status: 'live', active: false })],
        drifts: [
          drift('SD2', 'legacy_visibility'),
          drift('SD2', 'closed_where_recorded'),
          drift('SD2', 'open_on_both', { resolvedAt: at(4) }),
        ],
        runs: [
          run('SD1', 'cutover-B0-SD1', { status: 'compensated' }),
          run('SD1', 'cutover-B1-SD1', { batchId: 'B1', startedAt: at(20) }),
          run('SD2', 'cutover-B0-SD2'),
        ],
      });

    it('lists by market then code, or by code; filters by placement, market, codes and text', async () => {
      const s = await open(w());
      const codes = (rows: { code: string }[]) => rows.map((r) => r.code);
      expect(codes(await s.folders.list())).toEqual(['CA1', 'SD1', 'SD2', 'DX1']);
      expect(codes(await s.folders.list({}, 'code'))).toEqual(['CA1', 'DX1', 'SD1', 'SD2']);
      expect(codes(await s.folders.list({ placement: 'live' }))).toEqual(['SD2']);
      expect(codes(await s.folders.list({ market: 'Derivatives' }))).toEqual(['DX1']);
      expect(codes(await s.folders.list({ codes: ['SD2', 'NOPE', 'CA1'] }))).toEqual(['CA1', 'SD2']);
      expect(codes(await s.folders.list({ codes: [] }))).toEqual([]);
      expect(codes(await s.folders.list({ text: 'options' }))).toEqual(['DX1']);
      expect(codes(await s.folders.list({ text: '%' }))).toEqual(['DX1']); // LIKE's wildcard, taken literally
      expect(codes(await s.folders.list({ text: '現金' }))).toEqual(['CA1']);
      expect(await s.folders.codes()).toEqual(['CA1', 'DX1', 'SD1', 'SD2']);
    });

    it('reads a folder with the batch that plans it (its active plan only) and its open drift by kind', async () => {
      const s = await open(w());
      expect(await s.folders.get('SD1')).toEqual({
        code: 'SD1',
        nameEn: 'Folder SD1',
        nameZh: '資料夾 SD1',
        market: 'Cash',
        direction: 'submit',
        userTypes: ['SEHK_EP'],
        ccFunction: 'EU_ECPCASH',
        placement: 'legacy',
        placementChangedAt: at(0),
        liveSince: null,
        lastFailure: null,
        plannedBatch: { id: 'B1', plannedAt: batch('B1').plannedAt, status: 'awaiting_approval' },
        drifts: [],
      });
      expect(await s.folders.get('SD2')).toMatchObject({
        placement: 'live',
        liveSince: at(10),
        plannedBatch: null,
        drifts: ['closed_where_recorded', 'legacy_visibility'],
      });
      expect(await s.folders.get('NOPE')).toBeUndefined();
    });

    it("lists a folder's moves, newest first", async () => {
      const s = await open(w());
      expect(await s.folders.runs('SD1', 5)).toEqual([
        {
          kind: 'cutover',
          batchId: 'B1',
          workflowId: 'cutover-B1-SD1',
          status: 'running',
          step: 'begin',
          startedAt: at(20),
          finishedAt: null,
          freezeWindowMs: null,
          failure: null,
        },
        expect.objectContaining({ workflowId: 'cutover-B0-SD1', status: 'compensated' }),
      ]);
      expect((await s.folders.runs('SD1', 1)).map((r) => r.workflowId)).toEqual(['cutover-B1-SD1']);
    });
  });

  describe(`BatchReads (${backend})`, () => {
    const w = () =>
      world({
        operators: [
          { name: 'alice', roles: ['planner'] },
          { name: 'bob', roles: ['approver'] },
        ],
        folders: [
          folder('SD1'),
          folder('SD2', { placement: 'live' }),
          folder('RT1', { placement: 'retired', retiredAt: at(30) }),
          folder('RT2', { placement: 'retired' }),
          folder('RT3', { placement: 'retired' }),
        ],
        batches: [
          batch('B1', { plannedAt: at(100) }),
          batch('B2', {
            plannedAt: at(200),
            status: 'running',
            approvedBy: 'bob',
            startedAt: at(200),
            reason: 'started',
          }),
        ],
        batchFolders: [
          member('B2', 'SD2', { status: 'live', step: 'done' }),
          member('B2', 'SD1', { status: 'running', step: 'drain' }),
        ],
        batchRetires: [
          { batchId: 'B2', folderCode: 'RT1', status: 'retired', failure: null, active: true },
          { batchId: 'B2', folderCode: 'RT2', status: 'pending', failure: null, active: true },
        ],
        runs: [run('SD2', 'cutover-B2-SD2', { batchId: 'B2', status: 'succeeded', freezeWindowMs: 1200 })],
      });

    it('reads a batch with its folders (and their freeze windows) and the retired folders it closes', async () => {
      const s = await open(w());
      expect(await s.batches.get('B2')).toEqual({
        id: 'B2',
        name: 'Batch B2',
        status: 'running',
        reason: 'started',
        plannedAt: at(200),
        requestedBy: 'alice',
        approvedBy: 'bob',
        failurePolicy: 'continue',
        concurrency: 5,
        startedAt: at(200),
        finishedAt: null,
        folders: [
          {
            code: 'SD1',
            name: 'Folder SD1',
            status: 'running',
            step: 'drain',
            failure: null,
            freezeWindowMs: null,
          },
          {
            code: 'SD2',
            name: 'Folder SD2',
            status: 'live',
            step: 'done',
            failure: null,
            freezeWindowMs: 1200,
          },
        ],
        retires: [
          { code: 'RT1', name: 'Folder RT1', status: 'retired', failure: null, retiredAt: at(30) },
          { code: 'RT2', name: 'Folder RT2', status: 'pending', failure: null, retiredAt: null },
        ],
      });
      expect(await s.batches.get('NOPE')).toBeUndefined();
    });

    it("lists batches, the latest planned first; says whether one exists; tells what the plan's checks need of retired folders", async () => {
      const s = await open(w());
      expect((await s.batches.list()).map((b) => b.id)).toEqual(['B2', 'B1']);
      expect([await s.batches.exists('B1'), await s.batches.exists('B9')]).toEqual([true, false]);
      expect(await s.batches.retireFacts(['RT1', 'RT2', 'RT3', 'NOPE'])).toEqual(
        new Map([
          ['RT1', { placement: 'retired', retiredAt: at(30), retireBatch: 'B2' }],
          ['RT2', { placement: 'retired', retiredAt: null, retireBatch: 'B2' }],
          ['RT3', { placement: 'retired', retiredAt: null, retireBatch: null }],
        ]),
      );
    });
  });

  describe(`EventStore (${backend})`, () => {
    const w = () =>
      world({
        events: [
          event('folder', 'SD1', {
            to: 'cutting_over',
            workflowId: cutoverWorkflowId('B_1', 'SD1'),
            at: at(1),
          }),
          event('batch', 'B_1', { actor: 'bob', to: 'approved', at: at(2) }),
          event('folder', 'SD2', {
            to: 'rollback_requested',
            reason: 'wrong day',
            workflowId: 'rollback-SD2',
            runId: 'r1',
            key: 'command:c1',
            at: at(3),
          }),
          event('folder', 'SD3', {
            to: 'cutting_over',
            workflowId: cutoverWorkflowId('BX1', 'SD3'),
            at: at(4),
          }),
          event('batch', 'B_10', { to: 'approved', workflowId: cutoverWorkflowId('B_10', 'SD4'), at: at(5) }),
          event('folder', 'SD2', {
            actor: 'bob',
            to: 'rollback_approved',
            workflowId: 'rollback-SD2',
            runId: 'r1',
            at: at(6),
          }),
        ],
      });

    it('reads a page of the trail, newest first, by folder, by actor, or by batch with its cutovers', async () => {
      const s = await open(w());
      const ids = (rows: { id: number }[]) => rows.map((r) => r.id);
      expect(ids(await s.events.page({}, 0, 4))).toEqual([6, 5, 4, 3]);
      expect(ids(await s.events.page({}, 4, 4))).toEqual([2, 1]);
      expect(ids(await s.events.page({ folder: 'SD2' }, 0, 50))).toEqual([6, 3]);
      expect(ids(await s.events.page({ actor: 'bob' }, 0, 50))).toEqual([6, 2]);
      // 'B_1': its own events and its cutovers — not BX1's ('_' is no wildcard), nor B_10's.
      expect(
        ids(
          await s.events.page({ batch: { id: 'B_1', workflowPrefix: cutoverWorkflowId('B_1', '') } }, 0, 50),
        ),
      ).toEqual([2, 1]);
      expect((await s.events.page({ folder: 'SD2' }, 0, 1))[0]).toEqual({
        id: 6,
        at: at(6),
        actor: 'bob',
        entityType: 'folder',
        entityId: 'SD2',
        from: null,
        to: 'rollback_approved',
        reason: null,
        workflowId: 'rollback-SD2',
      });
    });

    it("finds a workflow's latest event, and an event by its key; appends once per key", async () => {
      const s = await open(w());
      expect(await s.events.lastOfWorkflow('rollback-SD2')).toMatchObject({
        id: 6,
        to: 'rollback_approved',
        actor: 'bob',
      });
      expect(await s.events.lastOfWorkflow('rollback-SD9')).toBeUndefined();
      expect([
        await s.events.idOf('command:c1'),
        await s.events.runOf('command:c1'),
        await s.events.idOf('command:none'),
      ]).toEqual([3, 'r1', undefined]);
      const e = {
        key: 'directory:d1',
        actor: 'alice',
        entityType: 'participant' as const,
        entityId: 'directory',
        to: 'imported',
        reason: '1 participant(s)',
      };
      expect(await s.events.append(e)).toBe(true);
      expect(await s.events.append({ ...e, reason: 'again' })).toBe(false);
      expect(await s.events.page({ actor: 'alice' }, 0, 1)).toEqual([
        expect.objectContaining({
          id: 7,
          entityType: 'participant',
          to: 'imported',
          reason: '1 participant(s)',
        }),
      ]);
    });
  });

  describe(`ParticipantStore (${backend})`, () => {
    const w = () =>
      world({
        folders: [folder('SD1'), folder('SD2')],
        participants: [
          participant('00100', { nameEn: 'Alpha Securities Limited', nameZh: '阿爾法證券' }),
          participant('00123', { nameEn: 'Beta 50% Capital' }),
          participant('01000', { nameEn: 'Gamma' }),
        ],
        users: [
          user('00100', 'zed@alpha.example', ['EU_ECPCASH'], { role: 'admin' }),
          user('00100', 'amy@alpha.example', []),
          user('01000', 'g@gamma.example', []),
        ],
        sftp: [{ participant: '00100', folder: 'SD2' }],
        notices: [
          notice('00100', 'batch_announced', 'B1@1', {
            status: 'sent',
            sentAt: at(9),
            messageId: '<m1>',
            folders: ['SD1'],
            attempts: [
              { at: at(8), outcome: 'failed', smtp: '451 later' },
              { at: at(9), outcome: 'sent', smtp: '250 ok' },
            ],
          }),
          notice('01000', 'batch_announced', 'B1@1', {
            attempts: [{ at: at(8), outcome: 'failed', smtp: '451 later' }],
          }),
          notice('00100', 'batch_reminder', 'B1@1', {
            attempts: [{ at: at(10), outcome: 'sent', smtp: null }],
          }),
        ],
      });

    it('finds firms by the start of their code or any part of a name, any case, by code', async () => {
      const s = await open(w());
      const codes = (rows: { code: string }[]) => rows.map((r) => r.code);
      expect(codes(await s.participants.search('001', 50))).toEqual(['00100', '00123']);
      expect(codes(await s.participants.search('alpha', 50))).toEqual(['00100']);
      expect(codes(await s.participants.search('證券', 50))).toEqual(['00100']);
      expect(codes(await s.participants.search('%', 50))).toEqual(['00123']); // LIKE's wildcard, taken literally
      expect(codes(await s.participants.search('a', 1))).toEqual(['00100']);
      expect(await s.participants.get('00123')).toEqual({
        code: '00123',
        nameEn: 'Beta 50% Capital',
        nameZh: '公司00123',
        userTypes: ['SEHK_EP'],
        emails: ['ops00123@firm.example'],
        language: 'en',
      });
      expect(await s.participants.get('09999')).toBeUndefined();
      expect(await s.participants.count()).toBe(3);
    });

    it("reads a firm's users by email, its SFTP folders, its notices with their attempts, and its trail of attempts", async () => {
      const s = await open(w());
      expect(await s.participants.users('00100')).toEqual([
        {
          email: 'amy@alpha.example',
          role: 'operator',
          functions: [],
          sftpKeyRegistered: false,
          ipRegistered: false,
        },
        {
          email: 'zed@alpha.example',
          role: 'admin',
          functions: ['EU_ECPCASH'],
          sftpKeyRegistered: false,
          ipRegistered: false,
        },
      ]);
      expect(await s.participants.sftpFolders('00100')).toEqual(['SD2']);
      expect(await s.participants.notices('00100')).toEqual([
        {
          id: 1,
          kind: 'batch_announced',
          subjectId: 'B1@1',
          status: 'sent',
          recipients: ['ops00100@firm.example'],
          folders: ['SD1'],
          sentAt: at(9),
          messageId: '<m1>',
          attempts: [
            { id: 1, at: at(8), outcome: 'failed', smtp: '451 later' },
            { id: 2, at: at(9), outcome: 'sent', smtp: '250 ok' },
          ],
        },
        expect.objectContaining({
          id: 3,
          kind: 'batch_reminder',
          attempts: [{ id: 4, at: at(10), outcome: 'sent', smtp: null }],
        }),
      ]);
      expect(await s.participants.attempts('00100', 0, 2)).toEqual([
        { id: 4, at: at(10), kind: 'batch_reminder', outcome: 'sent', smtp: null },
        { id: 2, at: at(9), kind: 'batch_announced', outcome: 'sent', smtp: '250 ok' },
      ]);
      expect((await s.participants.attempts('00100', 2, 2)).map((a) => a.id)).toEqual([1]);
    });
  });

  describe(`DriftStore (${backend})`, () => {
    it("lists drift newest first (the open ones, one folder's, or all) and reads the last pass", async () => {
      const s = await open(
        world({
          folders: [folder('SD1'), folder('SD2')],
          drifts: [
            drift('SD1', 'stuck_in_flight'),
            drift('SD2', 'legacy_visibility', { action: 'disabled on legacy' }),
            drift('SD1', 'open_on_both', { resolvedAt: at(9) }),
          ],
          passes: [
            { trigger: 'schedule', startedAt: at(1), finishedAt: at(2), openDrifts: 1 },
            { trigger: 'on_demand', startedAt: at(10), finishedAt: at(11), openDrifts: 2 },
          ],
        }),
      );
      expect((await s.drifts.list({}, 10)).map((d) => d.id)).toEqual([3, 2, 1]);
      expect((await s.drifts.list({ open: true }, 5)).map((d) => d.id)).toEqual([2, 1]);
      expect((await s.drifts.list({ open: true }, 1)).map((d) => d.id)).toEqual([2]);
      expect(await s.drifts.list({ folder: 'SD2' }, 5)).toEqual([
        {
          id: 2,
          folderCode: 'SD2',
          kind: 'legacy_visibility',
          detail: 'legacy_visibility on SD2',
          action: 'disabled on legacy',
          detectedAt: at(3),
          resolvedAt: null,
        },
      ]);
      expect(await s.drifts.lastPass()).toEqual({
        trigger: 'on_demand',
        startedAt: at(10),
        finishedAt: at(11),
        openDrifts: 2,
      });
      expect(await (await open(world({}))).drifts.lastPass()).toBeUndefined();
    });
  });

  describe(`the decommission's reads (${backend})`, () => {
    it("reads its row, counts its notices by kind and subject, and gathers its gate's facts", async () => {
      const gate = [{ item: 'folders' as const, pass: true, detail: 'every folder moved' }];
      const s = await open(
        world({
          operators: [{ name: 'alice', roles: ['planner'] }],
          folders: [
            folder('SD1', { placement: 'live' }),
            folder('SD2'),
            folder('SD3', { placement: 'cutting_over' }),
            folder('RT1', { placement: 'retired' }),
            folder('NW1', { placement: 'new_on_2_0' }),
          ],
          batches: [batch('B1', { status: 'running' }), batch('B0', { status: 'completed' })],
          events: [
            event('folder', 'SD1', { to: 'rollback_requested' }),
            event('folder', 'SD2', { to: 'rollback_requested' }),
            event('folder', 'SD2', { to: 'rollback_rejected' }),
            event('folder', 'SD3', { to: 'rollback_requested' }),
            event('folder', 'SD3', { to: 'drift_detected' }),
          ],
          drifts: [drift('SD3', 'stuck_in_flight'), drift('SD1', 'open_on_both', { resolvedAt: at(9) })],
          participants: [participant('00100'), participant('00200')],
          notices: [
            notice('00100', 'decommission_reminder', 'R30'),
            notice('00200', 'decommission_reminder', 'R30'),
            notice('00100', 'decommission_scheduled', 'D1'),
            notice('00100', 'batch_announced', 'B1@1'),
          ],
          decommission: {
            status: 'scheduled',
            plannedAt: at(5000),
            requestedBy: 'alice',
            approvedBy: null,
            gate,
            gateCheckedAt: at(7),
            completedAt: null,
          },
        }),
      );
      expect(await s.decommission.row()).toEqual({
        status: 'scheduled',
        plannedAt: at(5000),
        requestedBy: 'alice',
        approvedBy: null,
        gate,
        gateCheckedAt: at(7),
        completedAt: null,
      });
      expect(await s.decommission.noticeCounts()).toEqual([
        { kind: 'decommission_reminder', subject: 'R30', firms: 2 },
        { kind: 'decommission_scheduled', subject: 'D1', firms: 1 },
      ]);
      expect(await s.decommission.gateFacts()).toEqual({
        foldersNotMoved: ['SD2', 'SD3'],
        unfinishedBatches: [{ id: 'B1', status: 'running' }],
        pendingSwitchBacks: ['SD1', 'SD3'],
        openDrifts: new Map([['SD3', ['stuck_in_flight']]]),
      });
      expect(await (await open(world({}))).decommission.row()).toBeUndefined();
    });
  });

  describe(`readiness (${backend})`, () => {
    const w = () =>
      world({
        operators: [{ name: 'alice', roles: ['planner'] }],
        folders: [
          folder('SD1'),
          folder('SD2', { ccFunction: 'EU_ECPSD' }),
          folder('DX1', { userTypes: ['HKFE_EP'], ccFunction: 'EU_ECPDERIV' }),
        ],
        batches: [batch('B1')],
        batchFolders: [member('B1', 'SD1'), member('B1', 'SD2')],
        participants: [
          participant('00001'),
          participant('00002'),
          participant('00003', { userTypes: ['HKFE_EP'] }),
        ],
        users: [
          user('00001', 'a@one.example', ['EU_ECPCASH', 'EU_ECPSD'], { role: 'admin' }),
          user('00001', 'b@one.example', [], { role: 'admin' }),
          user('00002', 'a@two.example', ['EU_ECPCASH']),
        ],
        sftp: [{ participant: '00001', folder: 'SD2' }],
      });

    it("counts a batch's (or a plan's) affected firms, the ready and the not ready with what each lacks", async () => {
      const s = await open(w(), fakeGateway({ clientConnect: new Error('unreachable') }).gateway);
      const users = await s.readiness.users();
      expect(users).toMatchObject({
        source: 'directory',
        fallback: expect.stringContaining('unreachable'),
        disagreements: [],
      });
      const r = await s.readiness.ofBatch('B1', users.users, { list: 10 });
      expect(
        r.folders.map((f) => [
          f.code,
          f.affected,
          f.ready,
          f.notReady,
          f.notReadyFirms.map((n) => n.participant),
        ]),
      ).toEqual([
        ['SD1', 2, 2, 0, []],
        // 00001 chose SFTP for SD2 and holds no EU_ECPSFTP; 00002 lacks the function.
        ['SD2', 2, 0, 2, ['00001', '00002']],
      ]);
      expect(r).toMatchObject({
        affected: 2,
        notReady: 2,
        percentNotReady: 100,
        shortOfAdmins: 1,
        adminWarnings: [expect.objectContaining({ participant: '00002' })],
      });
      const plan = await s.readiness.ofFolders(['DX1', 'NOPE'], users.users, { list: 10 });
      expect(plan).toMatchObject({
        affected: 1,
        notReady: 1,
        folders: [expect.objectContaining({ code: 'DX1', name: 'Folder DX1', affected: 1, notReady: 1 })],
      });
    });

    it("decides on Client Connect's users when the platform answers, and says where it disagrees with the directory", async () => {
      const cc = [
        {
          code: '00002',
          users: [
            {
              email: 'a@two.example',
              role: 'operator' as const,
              functions: ['EU_ECPCASH', 'EU_ECPSD'],
              sftpKeyRegistered: false,
              ipRegistered: false,
            },
          ],
        },
      ];
      const s = await open(w(), fakeGateway({ clientConnect: cc }).gateway);
      expect(await s.readiness.users()).toMatchObject({
        source: 'client_connect',
        fallback: null,
        disagreements: [],
      });
      const compared = await s.readiness.users({ compare: true });
      expect(compared.disagreements).toEqual(['00001', '00002']);
      expect((await s.readiness.ofBatch('B1', compared.users)).folders.map((f) => f.ready)).toEqual([1, 1]);
      // A platform that answers with nobody is not set up yet: the directory is used.
      const empty = await open(w(), fakeGateway({ clientConnect: [] }).gateway);
      expect(await empty.readiness.users()).toMatchObject({
        source: 'directory',
        fallback: expect.stringContaining('no users at all'),
      });
    });
  });

  describe(`DirectoryStore (${backend})`, () => {
    it('creates or updates the firms of an import, replaces their users and SFTP folders, and leaves the others alone', async () => {
      const s = await open(
        world({
          folders: [folder('SD1'), folder('SD2')],
          participants: [participant('00100'), participant('00300')],
          users: [user('00100', 'old@one.example', []), user('00300', 'keep@three.example', [])],
          sftp: [
            { participant: '00100', folder: 'SD1' },
            { participant: '00300', folder: 'SD1' },
          ],
        }),
      );
      const firm = (code: string, nameEn: string, sftpFolders: string[]) => ({
        code,
        nameEn,
        nameZh: '',
        userTypes: ['SEHK_EP'],
        emails: [`x@${code}.example`],
        language: 'en' as const,
        sftpFolders,
      });
      const result = await s.directory.save(
        [firm('00100', 'Renamed', ['SD2']), firm('00200', 'New', [])],
        [
          {
            participantCode: '00100',
            email: 'new@one.example',
            role: 'admin',
            functions: ['EU_ECPCASH'],
            sftpKeyRegistered: true,
            ipRegistered: false,
          },
          {
            participantCode: '00200',
            email: 'a@two.example',
            role: 'operator',
            functions: [],
            sftpKeyRegistered: false,
            ipRegistered: false,
          },
        ],
      );
      expect(result).toEqual({ participants: 2, users: 2 });
      expect(await s.participants.get('00100')).toMatchObject({
        nameEn: 'Renamed',
        emails: ['x@00100.example'],
      });
      expect((await s.participants.users('00100')).map((u) => u.email)).toEqual(['new@one.example']);
      expect(await s.participants.sftpFolders('00100')).toEqual(['SD2']);
      expect((await s.participants.users('00300')).map((u) => u.email)).toEqual(['keep@three.example']);
      expect(await s.participants.sftpFolders('00300')).toEqual(['SD1']);
      expect(await s.participants.count()).toBe(3);
    });
  });

  describe(`the repair's record (${backend})`, () => {
    it('reads placement, the decommission, running moves (not repairs), the plan and open drift', async () => {
      const s = await open(
        world({
          operators: [{ name: 'alice', roles: ['planner'] }],
          folders: [folder('SD1', { placement: 'cutting_over' })],
          batches: [batch('B1')],
          batchFolders: [member('B1', 'SD1')],
          runs: [
            run('SD1', 'cutover-B0-SD1', { status: 'failed' }),
            run('SD1', 'cutover-B1-SD1', { runId: 'm1' }),
            run('SD1', 'repair-SD1', { kind: 'repair' }),
          ],
          drifts: [
            drift('SD1', 'stuck_in_flight'),
            drift('SD1', 'open_on_both'),
            drift('SD1', 'legacy_visibility', { resolvedAt: at(9) }),
          ],
          decommission: {
            status: 'scheduled',
            plannedAt: at(5000),
            requestedBy: 'alice',
            approvedBy: null,
            gate: null,
            gateCheckedAt: null,
            completedAt: null,
          },
        }),
      );
      expect(await s.repairs.record('SD1')).toEqual({
        code: 'SD1',
        placement: 'cutting_over',
        decommission: 'scheduled',
        plannedIn: 'B1',
        openDrifts: 2,
        runningMoves: [{ workflowId: 'cutover-B1-SD1', runId: 'm1' }],
      });
      expect(await s.repairs.record('NOPE')).toEqual({
        code: 'NOPE',
        placement: null,
        decommission: 'scheduled',
        plannedIn: null,
        openDrifts: 0,
        runningMoves: [],
      });
    });
  });

  describe(`AppendixStore (${backend})`, () => {
    it('lists the live folders by market, date and code, each with the batch that moved it', async () => {
      const s = await open(
        world({
          operators: [{ name: 'alice', roles: ['planner'] }],
          folders: [
            folder('SD2', { placement: 'live', liveSince: at(60 * 24 * 30) }),
            folder('SD1', { placement: 'live', liveSince: at(60 * 24 * 30) }),
            folder('DX1', {
              placement: 'live',
              market: 'Derivatives',
              liveSince: at(0),
              direction: 'download',
            }),
            folder('SD3', { placement: 'live', liveSince: at(0) }),
            folder('SD4'),
          ],
          batches: [
            batch('B1', { status: 'completed', plannedAt: at(100) }),
            batch('B2', { status: 'completed', plannedAt: at(200) }),
          ],
          batchFolders: [
            member('B1', 'SD2', { status: 'live', active: false }),
            member('B2', 'SD2', { status: 'live', active: false }),
          ],
          runs: [
            run('SD1', 'cutover-B1-SD1', { batchId: 'B1', status: 'succeeded' }),
            run('SD1', 'cutover-B2-SD1', { batchId: 'B2', status: 'compensated' }),
          ],
        }),
      );
      expect((await s.appendix.rows()).map((r) => [r.code, r.batch, r.dateMoved, r.direction])).toEqual([
        ['SD3', null, '2030-01-07', 'submit'],
        ['SD1', 'B1', '2030-02-06', 'submit'],
        ['SD2', 'B2', '2030-02-06', 'submit'],
        ['DX1', null, '2030-01-07', 'download'],
      ]);
    });
  });
}
