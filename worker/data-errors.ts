import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/** The failure type a workflow sees for data that no retry can make acceptable (workflows/interpreter.ts). */
export const DATA_ERROR = 'DataError';

/** A unique violation is most often two attempts of one idempotent write racing: it gets this many tries first. */
const UNIQUE_VIOLATION_ATTEMPTS = 5;

/**
 * What retrying cannot change, as a non-retryable failure of type DataError, or null for anything else (a
 * transient fault, which the activity's retry policy retries). PostgreSQL's classes 22 (data exception: a
 * NUL in text, a value too long, a bad date) and 23 (integrity: a check, a foreign key, NOT NULL) and a
 * schema's refusal (zod) are data errors. A unique violation (23505) is one only after a few attempts: before
 * that it is the usual sign of two attempts of an idempotent write meeting, which the next attempt resolves.
 */
export function asDataError(err: unknown, attempt: number): ApplicationFailure | null {
  if (err instanceof ApplicationFailure) return null;
  const e = err as {
    code?: unknown;
    name?: unknown;
    constraint?: unknown;
    table?: unknown;
    column?: unknown;
  } | null;
  if (e && typeof e.code === 'string' && /^2[23][0-9A-Z]{3}$/.test(e.code)) {
    if (e.code === '23505' && attempt < UNIQUE_VIOLATION_ATTEMPTS) return null;
    // Said from the error's fields, never its message (knex puts the SQL statement there).
    const where = [
      typeof e.table === 'string' ? `table ${e.table}` : '',
      typeof e.column === 'string' ? `column ${e.column}` : '',
      typeof e.constraint === 'string' ? `constraint ${e.constraint}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    return ApplicationFailure.create({
      type: DATA_ERROR,
      nonRetryable: true,
      message: `the database refused the data (SQLSTATE ${e.code}${SQLSTATE[e.code] ? ` ${SQLSTATE[e.code]}` : ''}${where ? `; ${where}` : ''})`,
    });
  }
  if (e && e.name === 'ZodError')
    return ApplicationFailure.create({
      type: DATA_ERROR,
      nonRetryable: true,
      message: 'the data does not have the shape it must have',
    });
  return null;
}

/** The names of the data errors met most (PostgreSQL's appendix A). */
const SQLSTATE: Record<string, string> = {
  '22001': 'string_data_right_truncation',
  '22003': 'numeric_value_out_of_range',
  '22007': 'invalid_datetime_format',
  '22008': 'datetime_field_overflow',
  '22021': 'character_not_in_repertoire',
  '22P02': 'invalid_text_representation',
  '23502': 'not_null_violation',
  '23503': 'foreign_key_violation',
  '23505': 'unique_violation',
  '23514': 'check_violation',
};

/**
 * Every activity (local ones too) passes its failures through asDataError: a poison pill fails its activity
 * for good, and the workflow's machine decides what to do, instead of an activity retrying for ever.
 */
export const dataErrorInterceptor: ActivityInterceptorsFactory = () => ({
  inbound: {
    async execute(input, next) {
      try {
        return await next(input);
      } catch (err) {
        throw asDataError(err, Context.current().info.attempt) ?? err;
      }
    },
  },
});
