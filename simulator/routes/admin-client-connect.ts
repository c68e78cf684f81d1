import { z } from 'zod';
import type { SimContext } from '../context';
import { listParticipants, loadParticipants, participantUsers, setFunctions } from '../client-connect';
import type { SimApp } from '../http/app';
import { email, functionName, participantCode, text } from '../http/schemas';
import { registerSftp } from '../sftp-keys';

const functions = z
  .array(functionName, { error: 'functions must be a list of function names' })
  .max(50, 'at most 50 functions');
const user = z.object({
  email: email('email'),
  role: z.enum(['admin', 'operator'], { error: 'role must be admin or operator' }),
  functions,
  sftpKeyRegistered: z.boolean().optional(),
  ipRegistered: z.boolean().optional(),
});
const participants = z.object({
  participants: z
    .array(
      z.object({
        code: participantCode('code'),
        users: z.array(user).max(20, 'a participant has at most 20 users (FAQ B.11)'),
      }),
      {
        error:
          'body must be { "participants": [ { "code", "users": [ { "email", "role", "functions", "sftpKeyRegistered", "ipRegistered" } ] } ] }',
      },
    )
    .max(1000, 'at most 1000 participants a call'),
});
// A key file as it is, lines and all (a private key pasted by mistake is then recognised and refused by name).
const keyText = z
  .string({ error: 'publicKey must be text' })
  .trim()
  .min(1, 'publicKey is required')
  .max(16_384, 'publicKey is at most 16384 characters')
  .refine((s) => !s.includes('\u0000'), 'publicKey must hold no NUL');
const page = z.object({
  after: z.union([participantCode('after'), z.literal('')]).default(''),
  limit: z.coerce
    .number({ error: 'limit must be a whole number from 1 to 1000' })
    .int('limit must be a whole number from 1 to 1000')
    .min(1, 'limit must be a whole number from 1 to 1000')
    .max(1000, 'limit must be a whole number from 1 to 1000')
    .default(500),
});

/**
 * Client Connect, the source of truth for users and functions (FAQ B.4–B.7): the cutover reads it through the
 * gateway; on the embedded stack a directory import loads it.
 */
export function adminClientConnectRoutes(app: SimApp, { db }: SimContext): void {
  app.put('/ecp2/admin/client-connect', { schema: { body: participants } }, async (req) =>
    loadParticipants(
      db,
      req.body.participants.map((p) => ({
        code: p.code,
        users: p.users.map((u) => ({
          ...u,
          sftpKeyRegistered: u.sftpKeyRegistered === true,
          ipRegistered: u.ipRegistered === true,
        })),
      })),
    ),
  );
  app.get('/ecp2/admin/client-connect', { schema: { querystring: page } }, async (req) => ({
    participants: await listParticipants(db, req.query.after, req.query.limit),
  }));
  app.get(
    '/ecp2/admin/client-connect/:participant',
    { schema: { params: z.object({ participant: participantCode() }) } },
    async (req) => participantUsers(db, req.params.participant),
  );
  // FAQ C.22: a user's SFTP key and source address, registered (`simulator sftp-key`).
  app.put(
    '/ecp2/admin/users/:email/sftp',
    {
      schema: {
        params: z.object({ email: email() }),
        body: z.strictObject({ publicKey: keyText, ip: text('ip', 64, { trim: true }).default('127.0.0.1') }),
      },
    },
    async (req) => registerSftp(db, req.params.email, req.body.publicKey, req.body.ip),
  );
  app.put(
    '/ecp2/admin/users/:email/functions',
    { schema: { params: z.object({ email: email() }), body: z.object({ functions }) } },
    async (req) => setFunctions(db, req.params.email, req.body.functions),
  );
}
