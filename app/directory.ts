import { asClientConnect, parseDirectory } from '../domain/directory';
import { InputError } from '../domain/errors';
import { requirePermission, type AppDeps, type Operator } from './context';

/** Imports participants and users from CSV text, all or nothing; every problem is reported at once. */
export async function importDirectory(
  deps: AppDeps,
  op: Operator,
  participantsCsv: string,
  usersCsv: string,
) {
  requirePermission(op, 'directory.import');
  const { stores } = deps;
  const known = new Set(await stores.folders.codes());
  const parsed = parseDirectory(participantsCsv, usersCsv, known);
  if (parsed.problems.length > 0) {
    const shown = parsed.problems.slice(0, 50).join('; ');
    const more = parsed.problems.length > 50 ? `; and ${parsed.problems.length - 50} more` : '';
    throw new InputError(`nothing imported, ${parsed.problems.length} problem(s): ${shown}${more}`);
  }
  const result = await stores.directory.save(parsed.participants, parsed.users);
  // On the embedded stack the platform is ours: its Client Connect is loaded too, so that both start equal.
  if (deps.config.LOAD_DIRECTORY_INTO_PLATFORM === 'true')
    await deps.gateway.loadClientConnect(asClientConnect(parsed.participants, parsed.users));
  await stores.events.append({
    key: `directory:${crypto.randomUUID()}`,
    actor: op.name,
    entityType: 'participant',
    entityId: 'directory',
    to: 'imported',
    reason: `${result.participants} participant(s), ${result.users} user(s)`,
    credentialId: op.credentialId,
    source: op.source,
  });
  return result;
}
