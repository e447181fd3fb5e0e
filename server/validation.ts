import type { Context } from 'hono';
import type { z } from 'zod';
import { AppError, type FieldErrors } from '../core/errors.js';

/** zod issues → `{ field: [messages] }`, keyed by the dotted path of the field at fault. */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? issue.path.join('.') : '_';
    (fields[key] ??= []).push(issue.message);
  }
  return fields;
}

// NUL (Postgres text and jsonb refuse it) or a UTF-16 surrogate without its partner (jsonb
// refuses its escape; text would silently turn it into U+FFFD).
const unstorable = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
export const UNSTORABLE_MESSAGE = 'contains a character that cannot be stored (a NUL \\u0000, or half of a Unicode surrogate pair); remove it';
export const hasUnstorable = (value: string) => unstorable.test(value);

/**
 * Every string in a JSON value (keys too) that Postgres could not store, by dotted path.
 * Iterative: a body may nest a million levels deep within the size limit.
 */
export function unstorableFields(value: unknown, prefix = ''): FieldErrors {
  const fields: FieldErrors = {};
  const stack: Array<[unknown, string]> = [[value, prefix]];
  while (stack.length > 0) {
    const [current, path] = stack.pop()!;
    if (typeof current === 'string') {
      if (hasUnstorable(current)) fields[path || '_'] = [UNSTORABLE_MESSAGE];
    } else if (current !== null && typeof current === 'object') {
      for (const [key, child] of Object.entries(current)) {
        const childPath = path ? `${path}.${key}` : key;
        if (hasUnstorable(key)) fields[path || '_'] = [`has a key that ${UNSTORABLE_MESSAGE}`];
        else stack.push([child, childPath]);
      }
    }
  }
  return fields;
}

function validate<S extends z.ZodType>(body: unknown, schema: S): z.infer<S> {
  const bad = unstorableFields(body);
  if (Object.keys(bad).length > 0) throw new AppError('validation_failed', 'Some fields need attention.', bad);
  const result = schema.safeParse(body);
  if (!result.success) throw new AppError('validation_failed', 'Some fields need attention.', fieldErrors(result.error));
  return result.data;
}

/** Reads and validates a JSON body; bad JSON or a bad field is a 400 naming what is wrong. */
export async function parseBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new AppError('bad_request', 'The request body is not valid JSON.');
  }
  return validate(body, schema);
}

/** Like parseBody, for routes where the body may be left out entirely (treated as {}). */
export async function parseOptionalBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const text = await c.req.text();
  let body: unknown = {};
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      throw new AppError('bad_request', 'The request body is not valid JSON.');
    }
  }
  return validate(body, schema);
}

export function parseParam<S extends z.ZodType>(value: string | undefined, schema: S, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  // A malformed id can name nothing that exists: answer like any unknown id.
  if (!result.success) throw new AppError('not_found', `${what} was not found.`);
  return result.data;
}

export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const result = schema.safeParse(c.req.query());
  if (!result.success) throw new AppError('validation_failed', 'Some query parameters need attention.', fieldErrors(result.error));
  return result.data;
}
