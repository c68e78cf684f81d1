import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PlatformName } from '../../domain/intake-rules';
import type { SimContext } from '../context';
import { sessionUser, type SessionUser } from '../logins';

/**
 * Participant routes run for the user of a bearer session, never for a user named in the request. The hook
 * resolves the session before the body is read (no session, no upload); on ECP 2.0 it also keeps the door:
 * a user who has lost every ECP function since logging in gets 2000 (FAQ B.5).
 */
const users = new WeakMap<FastifyRequest, SessionUser>();

export function signedIn(ctx: SimContext, p: PlatformName) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const user = await sessionUser(ctx.db, p, req.headers.authorization, p === 'ecp2');
    if ('refusal' in user)
      return reply.code(user.refusal.status).send({ code: user.refusal.code, message: user.refusal.message });
    users.set(req, user);
  };
}

/** The session's user of a request that passed `signedIn`. */
export function userOf(req: FastifyRequest): SessionUser {
  const user = users.get(req);
  if (!user) throw new Error(`route ${req.routeOptions.url} is missing the signedIn hook`);
  return user;
}
