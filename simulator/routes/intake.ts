import { z } from 'zod';
import { checkMembership } from '../../domain/intake-rules';
import type { SimContext } from '../context';
import { MAX_FILE_BYTES, type SimApp } from '../http/app';
import { HttpError, refuse } from '../http/errors';
import { signedIn, userOf } from '../http/session';
import { base64, filename, folderParams, isoDate, participantCode } from '../http/schemas';
import { activity, submitFile } from '../intake';
import { folderFor, visibleFolders } from '../visibility';

// The user is the session's: a body or query that names one is refused (an unknown field).
const submission = z.strictObject({
  participant: participantCode(),
  filename,
  inputDate: isoDate('inputDate'),
  contentBase64: base64,
});
const enquiry = z.strictObject({ participant: participantCode() });

/**
 * What participants use, signed in: the folders they see, submitting a file, and the activity enquiry (checksums,
 * never content, FAQ C.26).
 */
export function intakeRoutes(app: SimApp, ctx: SimContext): void {
  const { db } = ctx;
  for (const p of ['legacy', 'ecp2'] as const) {
    const onRequest = signedIn(ctx, p);
    app.get(`/${p}/folders`, { onRequest }, async (req) =>
      (await visibleFolders(db, p, userOf(req))).map((f) => ({
        code: f.code,
        name: f.name,
        direction: f.direction,
        accepting: f.intake === 'open' && f.direction !== 'download',
        filenamePattern: f.filenamePattern,
        inputDate: f.inputDateMeaning,
      })),
    );
    app.post(
      `/${p}/folders/:code/submissions`,
      { onRequest, schema: { params: folderParams, body: submission } },
      async (req, reply) => {
        const content = Buffer.from(req.body.contentBase64, 'base64');
        if (content.length > MAX_FILE_BYTES)
          throw new HttpError(413, 'file_too_large', `a file is at most ${MAX_FILE_BYTES} bytes`);
        const { participant, filename: name, inputDate } = req.body;
        return reply.code(201).send(
          await submitFile(db, p, userOf(req), {
            folder: req.params.code,
            participant,
            filename: name,
            inputDate,
            content,
          }),
        );
      },
    );
    // The door first (the session's), then the folder (here, and shown to this user), then the firm (FAQ B.14).
    app.get(
      `/${p}/folders/:code/submissions`,
      { onRequest, schema: { params: folderParams, querystring: enquiry } },
      async (req) => {
        const who = userOf(req);
        await folderFor(db, p, req.params.code, who, 'no activity is shown');
        const denied = checkMembership(
          req.query.participant,
          who.email,
          who.memberOf,
          'no activity is shown',
        );
        if (denied) throw refuse(denied);
        return activity(db, p, req.params.code, req.query.participant);
      },
    );
  }
}
