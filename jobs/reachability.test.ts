import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkEndpoint } from './reachability.js';

describe('checkEndpoint', () => {
  it('connects to the address the policy checked, never to the name resolved again', async () => {
    const server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      // The name does not resolve at all: only the checked address can have answered.
      const reach = await checkEndpoint({ host: 'never-resolves.invalid', address: '127.0.0.1', port, tls: false, settings: ['host', 'port'] });
      expect(reach).toEqual({ ok: true });
    } finally {
      server.close();
    }
    const closed = await checkEndpoint({ host: 'db.example.com', address: '127.0.0.1', port, tls: false, settings: ['host', 'port'] });
    expect(closed).toMatchObject({ ok: false, message: expect.stringContaining(`db.example.com:${port} refused the connection`), settings: ['host', 'port'] });
  });
});
