import pino, { type Logger } from 'pino';

/**
 * One pino logger per process; modules take a child. Secret-looking fields are redacted
 * wherever they appear, as a second line of defence behind never logging them at all.
 */
export function createLogger(level: string, name: string): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: ['password', '*.password', 'secret', '*.secret', 'token', '*.token', 'config.*', '*.config.*', 'secrets', '*.secrets', 'req.headers.authorization', 'req.headers.cookie', 'authorization'],
      censor: '********',
    },
  });
}
