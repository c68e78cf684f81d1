import { NotFoundError } from '../domain/errors';
import type { ReportFacts } from '../domain/report';
import type { AppDeps } from './context';

/** A batch's report (domain/report.ts): the facts, as they stand now, for the console, the CLI's HTML file and its CSV. */
export async function batchReport(deps: AppDeps, id: string): Promise<ReportFacts> {
  const facts = await deps.stores.reports.batch(id, new Date());
  if (!facts)
    throw new NotFoundError(
      `no batch ${id}: list the batches with 'ecp-cutover folders' or the console's Batches page`,
    );
  return facts;
}
