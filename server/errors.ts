import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppError, ErrorCode } from '../core/errors.js';

/** HTTP statuses of the domain's error codes, mapped once, here. */
export const errorStatus = {
  validation_failed: 400,
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  too_many_requests: 429,
  unavailable: 503,
  internal: 500,
} as const satisfies Record<ErrorCode, ContentfulStatusCode>;

export function errorBody(error: AppError) {
  return { error: { code: error.code, message: error.message, ...(error.fields ? { fields: error.fields } : {}) } };
}

export function respondError(c: Context, error: AppError) {
  if (error.retryAfterSeconds !== undefined) c.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
  return c.json(errorBody(error), errorStatus[error.code]);
}
