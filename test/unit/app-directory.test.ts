import { describe, expect, it } from 'vitest';
import { importDirectory } from '../../app/directory';
import { InputError, NotAllowedError } from '../../domain/errors';
import { alice, carol, fakeApp } from '../support/fakes/app';
import { fakeGateway } from '../support/fakes/gateway';
import { folder, participant, world } from '../support/fakes/world';

const PARTICIPANTS = 'code,name_en,name_zh,user_types,emails,language,sftp_folders\n';
const USERS = 'participant_code,email,role,functions,sftp_key_registered,ip_registered\n';

describe('the directory import (app/directory.ts): all or nothing', () => {
  const w = () => world({ folders: [folder('SD1')], participants: [participant('00900')] });

  it('refuses a file with problems, naming every one, and imports nothing', async () => {
    const state = w();
    const platform = fakeGateway();
    const app = fakeApp(state, { gateway: platform.gateway, env: { LOAD_DIRECTORY_INTO_PLATFORM: 'true' } });
    const refused = await importDirectory(
      app,
      alice,
      `${PARTICIPANTS}100,,,SEHK_EP,x@one.example,en,NOPE\n`,
      `${USERS}00100,a@one.example,boss,,true,false\n`,
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InputError);
    expect((refused as Error).message).toMatch(
      /^nothing imported, 5 problem\(s\): participants line 2, code: '100' must be 5 digits/,
    );
    expect((refused as Error).message).toContain("sftp_folders: unknown folder 'NOPE'");
    expect(state.participants.map((p) => p.code)).toEqual(['00900']);
    expect(state.events).toEqual([]);
    expect(platform.loaded).toEqual([]);
  });

  it('says how many problems there are beyond the first fifty', async () => {
    const rows = Array.from({ length: 60 }, (_, i) => `x${i},Firm,,SEHK_EP,a@b.example,en,\n`).join('');
    await expect(importDirectory(fakeApp(w()), alice, PARTICIPANTS + rows, USERS)).rejects.toThrow(
      /^nothing imported, 60 problem\(s\): .*; and 10 more$/,
    );
  });

  it('imports a good file, loads it into the platform where the stack is ours, and records who did it', async () => {
    const state = w();
    const platform = fakeGateway();
    const app = fakeApp(state, { gateway: platform.gateway, env: { LOAD_DIRECTORY_INTO_PLATFORM: 'true' } });
    const result = await importDirectory(
      app,
      alice,
      `${PARTICIPANTS}00100,One,壹,SEHK_EP,x@one.example,en,SD1\n`,
      `${USERS}00100,A@One.example,admin,EU_ECPCASH,true,false\n`,
    );
    expect(result).toEqual({ participants: 1, users: 1 });
    expect(state.users).toEqual([
      {
        participantCode: '00100',
        email: 'a@one.example',
        role: 'admin',
        functions: ['EU_ECPCASH'],
        sftpKeyRegistered: true,
        ipRegistered: false,
      },
    ]);
    expect(platform.loaded).toEqual([
      {
        code: '00100',
        users: [
          {
            email: 'a@one.example',
            role: 'admin',
            functions: ['EU_ECPCASH'],
            sftpKeyRegistered: true,
            ipRegistered: false,
          },
        ],
      },
    ]);
    expect(state.events).toEqual([
      expect.objectContaining({
        actor: 'alice',
        entityType: 'participant',
        entityId: 'directory',
        to: 'imported',
        reason: '1 participant(s), 1 user(s)',
      }),
    ]);
    await expect(importDirectory(app, carol, PARTICIPANTS, USERS)).rejects.toThrow(NotAllowedError);
  });
});
