import { z } from 'zod';
import type { PlatformName } from '../../domain/intake-rules';
import type { SimContext } from '../context';
import type { SimApp } from '../http/app';
import { HttpError } from '../http/errors';
import { folderParams } from '../http/schemas';
import {
  ACTIONS,
  act,
  decommissionLegacy,
  folderState,
  lastLegacyAcceptance,
  probe,
  retire,
} from '../platform-admin';
import { handBack, handOver } from '../platform-store';

const action = z.object({
  code: folderParams.shape.code,
  action: z.enum(Object.keys(ACTIONS) as [keyof typeof ACTIONS], {
    error: `the action is one of ${Object.keys(ACTIONS).join(', ')}, probe, handover, handback or retire`,
  }),
});

/** The admin API the cutover drives (platform/http-gateway.ts), per platform; the admin credential is checked before. */
export function adminFolderRoutes(app: SimApp, { db }: SimContext): void {
  for (const p of ['legacy', 'ecp2'] as const) {
    const base = `/${p}/admin/folders/:code`;
    app.get(base, { schema: { params: folderParams } }, async (req) => folderState(db, p, req.params.code));
    app.post(`${base}/probe`, { schema: { params: folderParams } }, async (req) =>
      probe(db, p, req.params.code),
    );
    app.post(`${base}/handover`, { schema: { params: folderParams } }, async (req) => {
      const to: PlatformName = p === 'legacy' ? 'ecp2' : 'legacy';
      const done = await handOver(db, p, to, req.params.code);
      if (!done)
        throw new HttpError(
          404,
          'unknown_folder',
          `folder ${req.params.code} does not exist on ${to}: nothing can be handed over to it`,
        );
      return done;
    });
    app.post(`${base}/handback`, { schema: { params: folderParams } }, async (req) =>
      handBack(db, p, req.params.code),
    );
    app.post(`${base}/:action`, { schema: { params: action } }, async (req) =>
      act(db, p, req.params.code, req.params.action),
    );
  }
  app.post('/legacy/admin/folders/:code/retire', { schema: { params: folderParams } }, async (req) =>
    retire(db, req.params.code),
  );
  app.get('/legacy/admin/last-accepted', async () => lastLegacyAcceptance(db));
  app.post('/legacy/admin/decommission', async () => decommissionLegacy(db));
}
