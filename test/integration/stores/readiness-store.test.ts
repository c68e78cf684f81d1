import { describe, expect, it } from 'vitest';
import { seedCatalog } from '../../../db/seed';
import type { ClientConnectParticipant, PlatformGateway } from '../../../platform/gateway';
import { createReadinessStore } from '../../../stores/readiness-store';
import { freshDatabase } from '../../support/db';
import { batch } from '../../support/store-rows';

const { db } = await freshDatabase();
await seedCatalog(db);
await db('participants').insert([
  { code: '00001', name_en: 'Ready', user_types: ['SEHK_EP'], emails: ['a@1.hk'] },
  { code: '00002', name_en: 'Not ready', user_types: ['SEHK_EP'], emails: ['a@2.hk'] },
]);
const user = (participant_code: string, email: string, functions: string[]) => ({
  participant_code,
  email,
  role: 'operator',
  functions,
});
await db('users').insert([user('00001', 'op@1.hk', ['EU_ECPCASH']), user('00002', 'op@2.hk', [])]);
await batch(db, 'Y1', ['SD1']);

/** Client Connect as the platform port serves it: a list of firms, or an outage. */
const clientConnect = (firms: ClientConnectParticipant[] | Error) =>
  ({
    async *clientConnect() {
      if (firms instanceof Error) throw firms;
      yield* firms;
    },
  }) as unknown as PlatformGateway;

describe("ReadinessStore (knex): the users readiness is decided on, and a batch's readiness", () => {
  it("decides on Client Connect's users when the platform answers", async () => {
    const platform = [
      {
        code: '00002',
        users: [
          {
            email: 'op@2.hk',
            role: 'operator' as const,
            functions: ['EU_ECPCASH'],
            sftpKeyRegistered: false,
            ipRegistered: false,
          },
        ],
      },
    ];
    const store = createReadinessStore(db, clientConnect(platform));
    const users = await store.users();
    expect(users.source).toBe('client_connect');
    const r = await store.ofBatch('Y1', users.users);
    expect(r).toMatchObject({ affected: 2, notReady: 1, percentNotReady: 50 }); // 00001 has no users on the platform
  });

  it('falls back to the imported directory when the platform cannot be read, and says why', async () => {
    const store = createReadinessStore(db, clientConnect(new Error('503 from the admin API')));
    const users = await store.users();
    expect(users).toMatchObject({
      source: 'directory',
      fallback: expect.stringContaining('503 from the admin API'),
    });
    const firms: string[] = [];
    const r = await store.ofBatch('Y1', users.users, {
      onFirms: async (actions) => void firms.push(...actions.map((a) => a.participant)),
    });
    expect(r).toMatchObject({ affected: 2, notReady: 1 });
    expect(firms).toEqual(['00001', '00002']); // 00002 is not ready; both have fewer than two administrators
  });
});
