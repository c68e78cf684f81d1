import type { Knex } from 'knex';
import { checkFolderShown, checkOnPlatform, webFunctions, type PlatformName } from '../domain/intake-rules';
import { refuse } from './http/errors';
import type { SessionUser } from './logins';
import { readFolder, schemaOf, toSimFolder, type SimFolder } from './platform-store';

/**
 * What a participant sees of a platform (FAQ B.7, D.27): the folders shown there (a moved folder is hidden on
 * legacy, one not yet moved is closed and hidden on ECP 2.0) whose function the user holds. On the web
 * EU_ECPSFTP shows nothing (FAQ B.6); over SFTP a folder's own function is what counts.
 */
export type Channel = 'web' | 'sftp';
const functionsOn = (who: SessionUser, channel: Channel) =>
  channel === 'web' ? webFunctions(who.functions) : who.functions;

export async function visibleFolders(
  db: Knex,
  p: PlatformName,
  who: SessionUser,
  channel: Channel = 'web',
): Promise<SimFolder[]> {
  const held = functionsOn(who, channel);
  const rows = await db(`${schemaOf(p)}.folders`)
    .where({ visible: true })
    .andWhere((q) => void q.whereNull('cc_function').orWhereIn('cc_function', held))
    .orderBy('code');
  return rows.map(toSimFolder);
}

/**
 * A folder this user may look into on this platform, or the refusal that says why not and where the folder is:
 * not here (3001, or 3003 retired), then not shown to them (2002). The door (2000) was kept by the session.
 */
export async function folderFor(
  db: Knex,
  p: PlatformName,
  code: string,
  who: SessionUser,
  outcome: string,
  channel: Channel = 'web',
): Promise<SimFolder> {
  const here = await readFolder(db, p, code);
  const elsewhere = here?.visible
    ? undefined
    : await readFolder(db, p === 'legacy' ? 'ecp2' : 'legacy', code);
  const refusal =
    checkOnPlatform(p, code, here, elsewhere, outcome) ??
    checkFolderShown(p, here!, who.email, functionsOn(who, channel), outcome);
  if (refusal) throw refuse(refusal);
  return here!;
}
