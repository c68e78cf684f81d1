import { z } from 'zod';
import { checkMembership } from '../../domain/intake-rules';
import { userAccess } from '../client-connect';
import type { SimContext } from '../context';
import { MAX_FILE_BYTES, type SimApp } from '../http/app';
import { HttpError, refuse } from '../http/errors';
import { base64, email, filename, folderParams, isoDate, participantCode } from '../http/schemas';
import { activity, submitFile } from '../intake';

const submission = z.object({
  participant: participantCode(),
  user: email("user (the submitting user's email)"),
  filename,
  inputDate: isoDate('inputDate'),
  contentBase64: base64,
});
const enquiry = z.object({ participant: participantCode(), user: email("user (the enquiring user's email)") });

/** What participants use: submit a file, and the activity enquiry (checksums, never content). */
export function intakeRoutes(app: SimApp, { db }: SimContext): void {
  for (const p of ['legacy', 'ecp2'] as const) {
    app.post(`/${p}/folders/:code/submissions`, { schema: { params: folderParams, body: submission } }, async (req, reply) => {
      const content = Buffer.from(req.body.contentBase64, 'base64');
      if (content.length > MAX_FILE_BYTES) throw new HttpError(413, 'file_too_large', `a file is at most ${MAX_FILE_BYTES} bytes`);
      const { participant, user, filename: name, inputDate } = req.body;
      return reply.code(201).send(await submitFile(db, p, { folder: req.params.code, participant, user, filename: name, inputDate, content }));
    });
    app.get(`/${p}/folders/:code/submissions`, { schema: { params: folderParams, querystring: enquiry } }, async (req) => {
      if (p === 'ecp2') {
        const denied = checkMembership(req.query.participant, req.query.user, (await userAccess(db, req.query.user)).memberOf);
        if (denied) throw refuse({ ...denied, message: denied.message.replace('nothing was stored', 'no activity is shown') });
      }
      return activity(db, p, req.params.code, req.query.participant);
    });
  }
}
