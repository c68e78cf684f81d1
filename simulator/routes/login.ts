import { z } from 'zod';
import type { SimContext } from '../context';
import type { SimApp } from '../http/app';
import { signedIn } from '../http/session';
import { text } from '../http/schemas';
import { logIn, logOut } from '../logins';

const loginId = text('loginId', 254);
const password = text('password', 200);
const otp = z
  .string({ error: 'otp must be the 6-digit one-time password of your authenticator' })
  .regex(/^\d{6}$/, 'otp must be the 6-digit one-time password of your authenticator');

/** FAQ A.1: ECP 2.0 takes the Client Connect login ID, password and one-time password; legacy its own credentials. */
export function loginRoutes(app: SimApp, ctx: SimContext): void {
  const { db } = ctx;
  app.post(
    '/ecp2/login',
    { schema: { body: z.strictObject({ loginId, password, otp }) } },
    async (req, reply) => answer(reply, await logIn(db, 'ecp2', req.body)),
  );
  app.post('/legacy/login', { schema: { body: z.strictObject({ loginId, password }) } }, async (req, reply) =>
    answer(reply, await logIn(db, 'legacy', req.body)),
  );
  for (const p of ['legacy', 'ecp2'] as const) {
    app.post(
      `/${p}/logout`,
      { onRequest: signedIn(ctx, p) },
      async (req) => (await logOut(db, p, req.headers.authorization), { ok: true }),
    );
  }
}

const answer = (reply: import('fastify').FastifyReply, r: Awaited<ReturnType<typeof logIn>>) =>
  'refusal' in r
    ? reply.code(r.refusal.status).send({ code: r.refusal.code, message: r.refusal.message })
    : reply.send(r);
