import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isAffected, readiness } from '../../domain/audience';
import { parseCatalog } from '../../domain/catalog';
import { DEFAULT_CATALOG } from '../../db/seed';

const folders = new Map(
  parseCatalog(fs.readFileSync(DEFAULT_CATALOG, 'utf8')).folders.map((f) => [
    f.code,
    { code: f.code, userTypes: f.userTypes, ccFunction: f.ccFunction },
  ]),
);
const f = (code: string) => folders.get(code)!;
const user = (functions: string[], sftp = false) => ({
  email: 'u@firm.hk',
  functions,
  sftpKeyRegistered: sftp,
  ipRegistered: sftp,
});

describe('who a folder concerns (catalog user types)', () => {
  it('an SEHK participant sees stamp duty; a futures-only firm does not', () => {
    expect(isAffected(['SEHK_EP'], f('SD1'))).toBe(true);
    expect(isAffected(['HKFE_EP'], f('SD1'))).toBe(false);
  });
  it('China Connect mapping files reach CCEPs and TTEPs', () => {
    expect(isAffected(['SEHK_TTEP'], f('CSCMAP'))).toBe(true);
    expect(isAffected(['SEHK_EP'], f('CSCMAP'))).toBe(false);
  });
  it('ALL folders reach every firm', () => {
    expect(isAffected(['IV'], f('GENCORR'))).toBe(true);
  });
});

describe('readiness on ECP 2.0 (FAQ B.5–B.7, C.22)', () => {
  it('needs a user holding the folder function', () => {
    expect(readiness(f('SD1'), [user(['EU_ECPCASH'])], false)).toEqual({ ready: true });
    expect(readiness(f('SD1'), [user(['EU_ECPCC'])], false)).toMatchObject({
      ready: false,
      missing: expect.stringMatching(/no user holds EU_ECPCASH/),
    });
    expect(readiness(f('SD1'), [], false).ready).toBe(false);
  });
  it('EU_ECPSFTP alone is not the folder function (B.6)', () => {
    expect(readiness(f('SD1'), [user(['EU_ECPSFTP'], true)], false).ready).toBe(false);
  });
  it('a firm that chose SFTP for the folder needs one user with EU_ECPSFTP, key and IP registered, and the folder function (B.6, C.22)', () => {
    expect(readiness(f('SD1'), [user(['EU_ECPCASH'])], true)).toMatchObject({
      ready: false,
      missing: expect.stringMatching(
        /no single user holds EU_ECPSFTP and EU_ECPCASH with a registered key and IP/,
      ),
    });
    expect(readiness(f('SD1'), [user(['EU_ECPCASH']), user(['EU_ECPSFTP'], false)], true).ready).toBe(false);
    // The key on one user and the function on another submit nothing by SFTP: not ready.
    expect(readiness(f('SD1'), [user(['EU_ECPCASH']), user(['EU_ECPSFTP'], true)], true).ready).toBe(false);
    expect(readiness(f('SD1'), [user(['EU_ECPCASH', 'EU_ECPSFTP'], true)], true)).toEqual({ ready: true });
    // Key without address, or address without key: not registered.
    expect(
      readiness(f('SD1'), [{ ...user(['EU_ECPCASH', 'EU_ECPSFTP'], true), ipRegistered: false }], true).ready,
    ).toBe(false);
    expect(
      readiness(f('SD1'), [{ ...user(['EU_ECPCASH', 'EU_ECPSFTP'], true), sftpKeyRegistered: false }], true)
        .ready,
    ).toBe(false);
  });
});
