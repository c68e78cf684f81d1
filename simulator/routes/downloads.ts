import { z } from 'zod';
import { checkDownloadable } from '../../domain/intake-rules';
import type { SimContext } from '../context';
import { listFiles, placeFile, readFile } from '../downloads';
import { MAX_FILE_BYTES, type SimApp } from '../http/app';
import { HttpError, refuse } from '../http/errors';
import { signedIn, userOf } from '../http/session';
import { base64, filename, folderCode, participantCode } from '../http/schemas';
import { readFolder } from '../platform-store';
import { folderFor } from '../visibility';

const fileParams = z.object({ code: folderCode, name: filename });
const placed = z.strictObject({ contentBase64: base64, participant: participantCode().optional() });

/**
 * Download folders (FAQ C.21): users holding the folder's function fetch its files on the platform where it is
 * shown; nothing submitted is ever served (FAQ C.26). HKEX places the files (admin credential).
 */
export function downloadRoutes(app: SimApp, ctx: SimContext): void {
  const { db } = ctx;
  for (const p of ['legacy', 'ecp2'] as const) {
    const onRequest = signedIn(ctx, p);
    const downloadable = async (code: string, who: ReturnType<typeof userOf>, outcome: string) => {
      const folder = await folderFor(db, p, code, who, outcome);
      const refusal = checkDownloadable(code, folder.direction);
      if (refusal) throw refuse(refusal);
    };
    app.get(
      `/${p}/folders/:code/files`,
      { onRequest, schema: { params: z.object({ code: folderCode }) } },
      async (req) => {
        await downloadable(req.params.code, userOf(req), 'nothing is downloaded');
        return listFiles(db, p, req.params.code, userOf(req));
      },
    );
    app.get(
      `/${p}/folders/:code/files/:name`,
      { onRequest, schema: { params: fileParams } },
      async (req, reply) => {
        await downloadable(req.params.code, userOf(req), 'nothing is downloaded');
        const found = await readFile(db, p, req.params.code, req.params.name, userOf(req));
        if (!found)
          throw new HttpError(
            404,
            'unknown_file',
            `folder ${req.params.code} has no file ${req.params.name} for you: GET /${p}/folders/${req.params.code}/files lists the ones it has`,
          );
        return reply
          .type('application/octet-stream')
          .header('content-disposition', `attachment; filename="${req.params.name}"`)
          .header('x-checksum-sha256', found.sha256)
          .send(found.content);
      },
    );
    app.put(
      `/${p}/admin/folders/:code/files/:name`,
      { schema: { params: fileParams, body: placed } },
      async (req) => {
        const folder = await readFolder(db, p, req.params.code);
        if (!folder)
          throw new HttpError(404, 'unknown_folder', `folder ${req.params.code} does not exist on ${p}`);
        const submissionFolder = checkDownloadable(folder.code, folder.direction);
        if (submissionFolder) throw refuse(submissionFolder);
        const content = Buffer.from(req.body.contentBase64, 'base64');
        if (content.length > MAX_FILE_BYTES)
          throw new HttpError(413, 'file_too_large', `a file is at most ${MAX_FILE_BYTES} bytes`);
        return placeFile(db, p, {
          folder: folder.code,
          filename: req.params.name,
          participant: req.body.participant ?? null,
          content,
        });
      },
    );
  }
}
