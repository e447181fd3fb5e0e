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

/** Reads and validates a JSON body; bad JSON or a bad field is a 400 naming what is wrong. */
export async function parseBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new AppError('bad_request', 'The request body is not valid JSON.');
  }
  const result = schema.safeParse(body);
  if (!result.success) throw new AppError('validation_failed', 'Some fields need attention.', fieldErrors(result.error));
  return result.data;
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
  const result = schema.safeParse(body);
  if (!result.success) throw new AppError('validation_failed', 'Some fields need attention.', fieldErrors(result.error));
  return result.data;
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
