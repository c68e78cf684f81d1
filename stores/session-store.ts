import type { Db } from '../db/connection';

/**
 * Console sessions as stored: only a hash of the cookie, and a seal the control API computes with a key that
 * is not in the database (console/session.ts) — a row written by anyone else grants nothing.
 */
export interface SessionRow {
  idHash: string;
  operator: string;
  credentialId: string;
  mode: 'token' | 'oidc';
  csrf: string;
  lang: string;
  expiresAt: Date;
  lastSeenAt: Date;
  seal: string | null;
  /** OIDC: the provider's token, encrypted with a key derived from the cookie (which only the browser has). */
  tokenBox: string | null;
}

export interface SessionStore {
  /** A new session; sessions past their deadlines are removed as new ones are made (no timer to run). */
  create(row: Omit<SessionRow, 'lastSeenAt'>): Promise<void>;
  get(idHash: string): Promise<SessionRow | undefined>;
  touch(idHash: string): Promise<void>;
  end(idHash: string): Promise<void>;
  setLang(idHash: string, lang: string): Promise<void>;
}

export function createSessionStore(db: Db): SessionStore {
  const table = () => db('console_sessions');
  return {
    async create(r) {
      await table().insert({
        id_hash: r.idHash,
        operator: r.operator,
        credential_id: r.credentialId,
        mode: r.mode,
        csrf: r.csrf,
        lang: r.lang,
        expires_at: r.expiresAt,
        seal: r.seal,
        token_box: r.tokenBox,
      });
      await table().where('expires_at', '<', new Date()).del();
    },
    async get(idHash) {
      const r = await table().where({ id_hash: idHash }).first();
      if (!r) return undefined;
      return {
        idHash: r.id_hash,
        operator: r.operator,
        credentialId: r.credential_id,
        mode: r.mode,
        csrf: r.csrf,
        lang: r.lang,
        expiresAt: new Date(r.expires_at),
        lastSeenAt: new Date(r.last_seen_at),
        seal: r.seal ?? null,
        tokenBox: r.token_box ?? null,
      };
    },
    async touch(idHash) {
      await table().where({ id_hash: idHash }).update({ last_seen_at: new Date() });
    },
    async end(idHash) {
      await table().where({ id_hash: idHash }).del();
    },
    async setLang(idHash, lang) {
      await table().where({ id_hash: idHash }).update({ lang });
    },
  };
}
