import { createMiddleware } from 'hono/factory';
import { AppError, type FieldErrors } from '../../core/errors.js';
import { hasUnstorable, UNSTORABLE_MESSAGE } from '../validation.js';

const decoded = (part: string) => {
  try {
    return decodeURIComponent(part);
  } catch {
    return part; // malformed escapes stay literal text, which is storable
  }
};

/**
 * Refuses a NUL or broken surrogate anywhere in the path or the query, before any route
 * reads it: path parameters and query values reach Postgres from many routes, and one check
 * here covers those that take them raw (a plugin name, a resume id).
 */
export const storableUrl = () =>
  createMiddleware(async (c, next) => {
    const url = new URL(c.req.url);
    const fields: FieldErrors = {};
    if (url.pathname.split('/').some((segment) => hasUnstorable(decoded(segment)))) fields.path = [UNSTORABLE_MESSAGE];
    for (const [name, value] of url.searchParams) {
      if (hasUnstorable(name) || hasUnstorable(value)) fields[hasUnstorable(name) ? '_' : name] = [UNSTORABLE_MESSAGE];
    }
    if (Object.keys(fields).length > 0) throw new AppError('validation_failed', 'Some query parameters need attention.', fields);
    await next();
  });
