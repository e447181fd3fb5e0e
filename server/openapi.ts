import { z } from 'zod';
import type { Role } from '../core/tenants/service.js';

/**
 * What each route accepts, written once beside the route with the same zod schemas it
 * validates with; the OpenAPI document and the 405 answers are built from these.
 */
export type Operation = {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Relative to /api/v1, OpenAPI style: /connectors/{id} */
  path: string;
  summary: string;
  /** Who may call it: 'public' needs no sign-in; 'platform_admin' runs the platform (operator CLI grants it). */
  role: Role | 'public' | 'platform_admin';
  body?: z.ZodType;
  /** The body may be left out entirely (the route reads it as {}). */
  bodyOptional?: boolean;
  query?: z.ZodType;
  responses: Record<number, string>;
};

const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string(), fields: z.record(z.string(), z.array(z.string())).optional() }) });

const toSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

export function openApiDocument(operations: Operation[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = op.query ? Object.entries(((toSchema(op.query) as { properties?: Record<string, unknown> }).properties ?? {})).map(([name, schema]) => ({ name, in: 'query', required: false, schema })) : [];
    (paths[op.path] ??= {})[op.method] = {
      summary: op.summary,
      description: op.role === 'public' ? 'No sign-in needed.' : op.role === 'platform_admin' ? 'Needs a platform admin (an account or token the operator CLI made one).' : `Needs the ${op.role} role (or higher).`,
      ...(op.role === 'public' ? { security: [] } : {}),
      parameters: [...params, ...query],
      ...(op.body ? { requestBody: { required: !op.bodyOptional, content: { 'application/json': { schema: toSchema(op.body) } } } } : {}),
      responses: Object.fromEntries([
        ...Object.entries(op.responses).map(([status, description]) => [status, { description }]),
        ['400', { description: 'Bad input: `fields` names what is wrong', content: { 'application/json': { schema: toSchema(errorSchema) } } }],
        ...(op.role === 'public' ? [] : [['401', { description: 'Not signed in' }], ['403', { description: 'Role too low, or a cookie request without its CSRF token' }]]),
      ]),
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Sluice API', version: '1', description: 'Errors are { "error": { "code", "message", "fields"? } }.' },
    servers: [{ url: '/api/v1' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token (`npm run sluice -- tokens create`)' },
        session: { type: 'apiKey', in: 'cookie', name: 'sluice_session', description: 'Browser session; mutating requests also send X-CSRF-Token (returned by sign-in and by GET /auth/session)' },
      },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths,
  };
}

/** Methods the API has for a concrete path, to answer 405 with an Allow header. */
export function allowedMethods(operations: Operation[], path: string): string[] {
  return operations
    .filter((op) => new RegExp(`^${op.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(path))
    .map((op) => op.method.toUpperCase());
}
