import { randomUUID } from 'node:crypto';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { accountOperations, authRoutes, memberRoutes } from './accounts/routes.js';
import { auditOperations, auditRoutes } from './audit/routes.js';
import { connectorOperations, connectorRoutes } from './connectors/routes.js';
import type { AppDeps, AppEnv } from './deps.js';
import { AppError } from '../core/errors.js';
import { respondError } from './errors.js';
import { healthOperations, healthRoutes } from './health/routes.js';
import { requireAuth } from './middleware/auth.js';
import { onError } from './middleware/on-error.js';
import { securityHeaders } from './middleware/security-headers.js';
import { storableUrl } from './middleware/storable-url.js';
import { allowedMethods, openApiDocument, type Operation } from './openapi.js';
import { pipelineOperations, pipelineRoutes } from './pipelines/routes.js';
import { catalogOperations, catalogRoutes } from './plugins/routes.js';
import { runOperations, runRoutes } from './runs/routes.js';
import { tokenOperations, tokenRoutes } from './tenants/routes.js';

const MAX_BODY_BYTES = 1024 * 1024;

export const operations: Operation[] = [
  ...healthOperations,
  { method: 'get', path: '/openapi.json', summary: 'This document', role: 'public', responses: { 200: 'OpenAPI 3.1' } },
  ...accountOperations,
  ...catalogOperations,
  ...connectorOperations,
  ...pipelineOperations,
  ...runOperations,
  ...tokenOperations,
  ...auditOperations,
];

/**
 * Builds the whole HTTP app without listening, so tests call `app.request()`.
 *
 * @example
 * const app = createApp(deps);
 * const res = await app.request('/api/v1/health');
 */
export function createApp(deps: AppDeps) {
  const document = openApiDocument(operations);
  const api = new Hono<AppEnv>()
    .use(
      bodyLimit({
        maxSize: MAX_BODY_BYTES,
        onError: (c) => {
          // The rest of the body is never read, so this connection cannot carry another
          // request: say so, and Node closes it once the answer is out.
          c.header('connection', 'close');
          return respondError(c, new AppError('payload_too_large', 'The request body is larger than 1 MB.'));
        },
      }),
    )
    .route('/health', healthRoutes(deps))
    .get('/openapi.json', (c) => c.json(document))
    .route('/auth', authRoutes(deps))
    .use(requireAuth(deps.db))
    .route('/catalog', catalogRoutes(deps))
    .route('/connectors', connectorRoutes(deps))
    .route('/pipelines', pipelineRoutes(deps))
    .route('/runs', runRoutes(deps))
    .route('/tokens', tokenRoutes(deps))
    .route('/members', memberRoutes(deps))
    .route('/audit', auditRoutes(deps));

  const app = new Hono<AppEnv>()
    .use(async (c, next) => {
      const requestId = randomUUID();
      c.set('requestId', requestId);
      c.header('x-request-id', requestId);
      await next();
    })
    .use(securityHeaders(deps.trustProxy ?? false))
    .use(storableUrl())
    .route('/api/v1', api);

  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    const allowed = path.startsWith('/api/v1/') ? allowedMethods(operations, path.slice('/api/v1'.length)) : [];
    if (allowed.length > 0) {
      c.header('allow', allowed.join(', '));
      return respondError(c, new AppError('method_not_allowed', `${c.req.method} is not allowed on ${path}; use ${allowed.join(' or ')}.`));
    }
    return respondError(c, new AppError('not_found', `There is no ${c.req.method} ${path} in this API.`));
  });
  app.onError(onError(deps.log));

  if (deps.webRoot) {
    const root = deps.webRoot;
    app.use('/*', serveStatic({ root }));
    // The web app routes in the browser: any other non-API path gets index.html.
    app.get('*', (c, next) => (c.req.path.startsWith('/api/') ? next() : serveStatic({ root, path: 'index.html' })(c, next)));
  }
  return app;
}

export type AppType = ReturnType<typeof createApp>;
