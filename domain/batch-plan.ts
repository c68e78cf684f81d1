import type { DateTime } from 'luxon';
import { nonBusinessReason } from './calendar';
import { InputError } from './errors';
import { field } from './fields';
import type { Placement } from './placement';
import { formatHk, hkDate } from './time';

/** What an operator asks for when planning a batch (`POST /api/batches`, `ecp-cutover batch plan`). */
export interface PlanRequest {
  id: string;
  name: string;
  /** Null when the time given could not be read (its problem is reported by whoever parsed it). */
  plannedAt: DateTime | null;
  folders: string[];
  requestedBy: string;
  failurePolicy: 'continue' | 'halt';
  concurrency: number;
  minNoticeMs: number;
  allowNonBusinessDay: boolean;
  /** Retired folders this batch closes and hides on legacy at its start (a rule of this tool, not the FAQ's), told to the firms that used them. */
  retire: string[];
}

/** What the database says about the folders asked for. */
export interface PlanFacts {
  now: DateTime;
  folders: Map<string, { placement: Placement; activeBatch: string | null }>;
  batchExists: boolean;
  /** The folders the plan retires (its `retire`). */
  retire: Map<string, RetireFacts>;
}

export interface RetireFacts {
  placement: Placement;
  retiredAt: Date | null;
  /** An unfinished batch that retires it already. */
  retireBatch: string | null;
}

/**
 * Why folders cannot be retired by a batch (empty: they can): only a retired folder still open on legacy,
 * not retired by another unfinished batch, and not one the batch also moves. Shared by the plan's checks
 * and by the workflow's recording of the plan (where the facts are read under lock).
 */
export function retireProblems(moved: string[], retire: string[], facts: Map<string, RetireFacts>): string[] {
  const problems: string[] = [];
  if (new Set(retire).size !== retire.length) problems.push(`${field('retire')} names a folder twice`);
  for (const code of retire) {
    const f = facts.get(code);
    if (moved.includes(code))
      problems.push(
        `folder ${code} is in both ${field('folders')} and ${field('retire')}: a folder either moves or retires`,
      );
    else if (!f) problems.push(`folder ${code} is not in the catalog`);
    else if (f.placement !== 'retired')
      problems.push(
        `folder ${code} is not a retired folder (it is ${f.placement}): only folders the catalog retires can be retired`,
      );
    else if (f.retiredAt) problems.push(`folder ${code} was retired already`);
    else if (f.retireBatch)
      problems.push(`folder ${code} is retired by unfinished batch ${f.retireBatch} already`);
  }
  return problems;
}

const PLACEMENT_WHY: Partial<Record<Placement, string>> = {
  live: 'already live on ECP 2.0',
  retired: 'retired (it never moves; it is hidden at decommission)',
  new_on_2_0: 'born on ECP 2.0 (it has no legacy side)',
  cutting_over: 'being cut over right now',
  rolling_back: 'being switched back right now',
};

/** The field of a plan a problem is about, so a form can show it beside that field. */
export type PlanField =
  'id' | 'name' | 'at' | 'folders' | 'retire' | 'concurrency' | 'onFailure' | 'minNotice' | 'maxNotReady';

export interface PlanProblem {
  field: PlanField;
  message: string;
}

/** A plan refused, with every problem and its field; its message is the problems in one line. */
export class PlanRefused extends InputError {
  constructor(
    readonly batchId: string,
    readonly problems: PlanProblem[],
  ) {
    super(`batch ${batchId} refused: ${problems.map((p) => p.message).join('; ')}`);
  }
}

/**
 * Every reason a plan is refused, in one list (empty: the plan is valid), each with the field it is about.
 * Pure, so the CLI, the console's form, the dry run and the tests apply the same rules.
 */
export function planProblems(req: PlanRequest, facts: PlanFacts): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const add = (field: PlanField, ...messages: string[]) =>
    problems.push(...messages.map((message) => ({ field, message })));
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(req.id))
    add('id', `batch id '${req.id}' must be 1-32 letters, digits, _ or -`);
  if (facts.batchExists) add('id', `batch ${req.id} already exists: choose another ${field('id')}`);
  if (req.name.trim().length === 0) add('name', `${field('name')} must not be empty`);
  if (req.folders.length === 0 && req.retire.length === 0)
    add('folders', `${field('folders')} (or ${field('retire')}) must name at least one folder`);
  if (new Set(req.folders).size !== req.folders.length)
    add('folders', `${field('folders')} names a folder twice`);
  if (!Number.isInteger(req.concurrency) || req.concurrency < 1 || req.concurrency > 500)
    add('concurrency', `${field('concurrency')} must be a whole number from 1 to 500`);
  for (const code of req.folders) {
    const f = facts.folders.get(code);
    if (!f) add('folders', `folder ${code} is not in the catalog`);
    else if (f.activeBatch)
      add('folders', `folder ${code} is already in unfinished batch ${f.activeBatch} (one plan per folder)`);
    else if (f.placement !== 'legacy')
      add('folders', `folder ${code} is ${PLACEMENT_WHY[f.placement] ?? f.placement}, not on legacy`);
  }
  add('retire', ...retireProblems(req.folders, req.retire, facts.retire));
  if (req.plannedAt)
    add('at', ...timeProblems(req.plannedAt, facts.now, req.minNoticeMs, req.allowNonBusinessDay));
  return problems;
}

/** The rules of a batch's instant, for a plan and for a reschedule alike: future, past the notice period, a business day. */
export function timeProblems(
  plannedAt: DateTime,
  now: DateTime,
  minNoticeMs: number,
  allowNonBusinessDay: boolean,
): string[] {
  const problems: string[] = [];
  if (plannedAt <= now) problems.push(`${formatHk(plannedAt.toISO())} is in the past`);
  else if (plannedAt.toMillis() - now.toMillis() < minNoticeMs) {
    problems.push(
      `${formatHk(plannedAt.toISO())} is inside the notice period (${Math.round(minNoticeMs / 86_400_000)} days): plan later or pass ${field('minNotice')}`,
    );
  }
  const offDay = nonBusinessReason(hkDate(plannedAt.toISO()!));
  if (offDay && !allowNonBusinessDay)
    problems.push(`${offDay}: pick a business day or pass ${field('allowNonBusinessDay')}`);
  return problems;
}
