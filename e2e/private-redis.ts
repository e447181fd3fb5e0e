import { execa } from 'execa';
import { freePort } from './free-port.js';

/**
 * A Redis server of the test's own, in the foreground of a child process, so a test can
 * kill it (the shared Redis must stay up for every other test). Nothing is saved to disk.
 *
 * @example
 * const redis = await startPrivateRedis();
 * await redis.kill(); // Redis is gone: connections are refused
 */
export async function startPrivateRedis() {
  const port = await freePort();
  const server = execa('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { reject: false });
  for (let i = 0; ; i += 1) {
    if ((await execa('redis-cli', ['-p', String(port), 'ping'], { reject: false })).stdout === 'PONG') break;
    if (i === 50) throw new Error(`a private redis-server did not start on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      server.kill('SIGKILL');
      await server;
    },
  };
}
