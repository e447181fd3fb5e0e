import { lookup } from 'node:dns/promises';
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/**
 * Whether the servers a connector names answer, before its tap runs: name lookup, then a
 * TCP connection, then (where the settings ask for it) a TLS handshake. Each failure says
 * what happened and which settings to check.
 */
export type Endpoint = { host: string; port: number; tls: boolean; settings: string[] };
export type Reachability = { ok: true } | { ok: false; message: string; settings: string[] };

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443, 'postgres:': 5432, 'postgresql:': 5432, 'mysql:': 3306 };

/** Endpoints named by the usual settings: host/port, or URLs in url, api_url, sqlalchemy_url. */
export function endpointsOf(config: Record<string, unknown>): Endpoint[] {
  const endpoints: Endpoint[] = [];
  if (typeof config.host === 'string' && config.host !== '') {
    const port = Number(config.port);
    if (Number.isInteger(port) && port > 0) endpoints.push({ host: config.host, port, tls: config.ssl_enable === true, settings: ['host', 'port'] });
  }
  for (const setting of ['url', 'api_url', 'sqlalchemy_url']) {
    const value = config[setting];
    if (typeof value !== 'string' || value === '') continue;
    try {
      const url = new URL(value.replace(/^([a-z0-9]+)\+[a-z0-9]+:/i, '$1:'));
      const port = Number(url.port) || DEFAULT_PORTS[url.protocol];
      if (url.hostname && port) endpoints.push({ host: url.hostname.replace(/^\[|\]$/g, ''), port, tls: url.protocol === 'https:', settings: [setting] });
    } catch {
      // not a URL: the settings stage or the tap will say so
    }
  }
  return endpoints;
}

function attempt(start: (done: (error?: Error) => void) => { destroy(): void }, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let socket: { destroy(): void } | undefined;
    const timer = setTimeout(() => {
      socket?.destroy();
      reject(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket = start((error) => {
      clearTimeout(timer);
      socket?.destroy();
      if (error) reject(error);
      else resolve();
    });
  });
}

export async function checkEndpoint(endpoint: Endpoint, timeoutMs = 5_000): Promise<Reachability> {
  const where = `${endpoint.host}:${endpoint.port}`;
  try {
    await lookup(endpoint.host);
  } catch {
    return { ok: false, message: `Could not find the server ${endpoint.host}: its name does not resolve. Check the host name, or whether this server can reach it.`, settings: endpoint.settings };
  }
  try {
    await attempt((done) => {
      const socket = tcpConnect({ host: endpoint.host, port: endpoint.port });
      socket.once('connect', () => done());
      socket.once('error', done);
      return socket;
    }, timeoutMs);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'ECONNREFUSED'
        ? `The server ${where} refused the connection. Check the host and port, and that the service is running and accepts connections from Sluice.`
        : code === 'ETIMEDOUT'
          ? `The server ${where} did not answer within ${Math.round(timeoutMs / 1000)} s. Check the host and port, and any firewall in between.`
          : `Could not connect to ${where} (${code ?? (error as Error).message}). Check the host and port.`;
    return { ok: false, message, settings: endpoint.settings };
  }
  if (endpoint.tls) {
    try {
      await attempt((done) => {
        const socket = tlsConnect({ host: endpoint.host, port: endpoint.port, servername: endpoint.host });
        socket.once('secureConnect', () => done());
        socket.once('error', done);
        return socket;
      }, timeoutMs);
    } catch (error) {
      return { ok: false, message: `The secure (TLS) connection to ${where} failed: ${(error as Error).message}. Check the SSL settings and the server certificate.`, settings: [...endpoint.settings, 'ssl_enable', 'ssl_mode'] };
    }
  }
  return { ok: true };
}
