import type { Context } from 'hono';
import type { Logger } from 'pino';
import { AppError } from '../../core/errors.js';
import type { AppEnv } from '../deps.js';
import { errorBody, errorStatus, respondError } from '../errors.js';

type PgError = { code: string; severity?: string; constraint_name?: string; table_name?: string; column_name?: string; routine?: string };

/** The Postgres error inside an error, if any (postgres.js throws it; drizzle wraps it as `cause`). */
function postgresError(error: unknown): PgError | undefined {
  for (let e = error as { cause?: unknown } | undefined, i = 0; e && i < 5; e = e.cause as typeof e, i += 1) {
    const candidate = e as Partial<PgError>;
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code) && 'severity' in candidate) return candidate as PgError;
  }
  return undefined;
}

/**
 * What the service log may say about an unexpected error. A database error's message and
 * stack carry the failed query's bound parameters (password hashes, token hashes,
 * ciphertexts), and Postgres's own message and detail can quote a value: for those we log
 * only the SQLSTATE code, constraint, table, column and routine — never a value. Any other
 * error is logged whole (`{ err }`: message, stack and causes).
 */
export function describeForLog(error: unknown): Record<string, unknown> {
  const pg = postgresError(error);
  if (pg) return { db: { code: pg.code, constraint: pg.constraint_name, table: pg.table_name, column: pg.column_name, routine: pg.routine } };
  // pino's err serializer keeps the stack and every cause
  return { err: error };
}

// Class 22 (data exception): a value Postgres cannot store — a NUL byte, a date out of its
// range, a number too large. Validation should have named the field; if one slips through
// it is still the caller's input, not our failure.
const badInput = (pg: PgError | undefined) => pg !== undefined && pg.code.startsWith('22');

export const onError = (log: Logger) => (error: Error, c: Context<AppEnv>) => {
  if (error instanceof AppError) return respondError(c, error);
  const pg = postgresError(error);
  log.error({ ...describeForLog(error), request_id: c.get('requestId') }, badInput(pg) ? 'input the database refused' : 'unhandled error');
  if (badInput(pg)) {
    return respondError(c, new AppError('bad_request', `Part of this request cannot be stored (for example a NUL character, a date outside years 1-9999, or a number too large). Check what you sent. Request id ${c.get('requestId')}.`));
  }
  const body = errorBody(new AppError('internal', `Something went wrong on our side. Quote request id ${c.get('requestId')} if you contact support.`));
  return c.json(body, errorStatus.internal);
};
