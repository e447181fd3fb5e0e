import { createMiddleware } from 'hono/factory';
import { secureHeaders } from 'hono/secure-headers';
import { requestIsHttps } from './client.js';

/**
 * Security headers on every answer, the web app's and the API's. The CSP lets the built web
 * app (web/dist: same-origin module scripts, stylesheets, fetch and EventSource to /api)
 * run and nothing else; inline styles stay allowed because the dialog library injects a
 * <style> element to lock scrolling. No page may frame us (clickjacking). HSTS only when the
 * request really came over https (directly, or via a trusted proxy): over plain http it
 * would be ignored at best and lock a misconfigured host out at worst.
 */
export const securityHeaders = (trustProxy: boolean) => {
  const headers = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
    strictTransportSecurity: false,
  });
  return createMiddleware(async (c, next) => {
    await headers(c, next);
    if (requestIsHttps(c, trustProxy)) c.header('strict-transport-security', 'max-age=15552000; includeSubDomains');
  });
};
