import { z } from 'zod';
import type { SimContext } from '../context';
import type { SimApp } from '../http/app';
import { HttpError } from '../http/errors';
import { email } from '../http/schemas';
import { issueCredentials, unlock } from '../logins';

const params = z.object({ email: email() });
const notProvisioned = (p: string, who: string) =>
  new HttpError(
    404,
    'unknown_user',
    `${who} has no login on ${p}: import a directory that lists them (a directory import loads Client Connect and gives each user a login)`,
  );

/** Users' logins, for the embedded stack's operator (admin credential): hand out credentials, unlock (FAQ A.16). */
export function adminLoginRoutes(app: SimApp, { db, credentialKey }: SimContext): void {
  for (const p of ['legacy', 'ecp2'] as const) {
    app.get(
      `/${p}/admin/credentials/:email`,
      { schema: { params } },
      async (req) =>
        (await issueCredentials(db, credentialKey, p, req.params.email)) ??
        Promise.reject(notProvisioned(p, req.params.email)),
    );
    app.post(
      `/${p}/admin/logins/:email/unlock`,
      { schema: { params } },
      async (req) =>
        (await unlock(db, p, req.params.email)) ?? Promise.reject(notProvisioned(p, req.params.email)),
    );
  }
}
