import { isIP, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { CheckedEndpoint } from '../core/connectors/access-policy.js';

/**
 * Whether the servers a connector names answer, before its tap runs: a TCP connection, then
 * (where the settings ask for it) a TLS handshake. Only endpoints the access policy has
 * checked come here, and we connect to the address it checked, never to a name resolved
 * again: so this stage cannot be used to probe addresses the policy refuses.
 */
export type Reachability = { ok: true } | { ok: false; message: string; settings: string[] };

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

export async function checkEndpoint(endpoint: CheckedEndpoint, timeoutMs = 5_000): Promise<Reachability> {
  // With no port named and none usual for the scheme there is nothing to connect to: the plugin will say.
  if (endpoint.port === undefined) return { ok: true };
  const port = endpoint.port;
  const where = `${endpoint.host}:${port}`;
  try {
    await attempt((done) => {
      const socket = tcpConnect({ host: endpoint.address, port });
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
        const socket = tlsConnect({ host: endpoint.address, port, ...(isIP(endpoint.host) ? {} : { servername: endpoint.host }) });
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
