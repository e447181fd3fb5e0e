import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../meltano/project.js';
import { freePort } from './free-port.js';
import { testEnv } from './test-env.js';

type Line = { level: number; msg: string; err?: { message?: string; stack?: string } };

// Issue 9, defect 6: the API and the worker log a stray rejection and an uncaught exception
// through pino with the stack and cause; an uncaught exception stops the process non-zero.
describe.each(['server/main.ts', 'jobs/main.ts'])('%s on errors nothing handled', (entry) => {
  it('logs an unhandled rejection and goes on; logs an uncaught exception with its cause and exits 1', async () => {
    const env = await testEnv({ PORT: String(await freePort()), LOG_LEVEL: 'info' });
    // The real entry point, then two bugs of the kind no handler catches.
    const script = `
      await import('./${entry}');
      setTimeout(() => void Promise.reject(new Error('a loose promise')), 200);
      setTimeout(() => { throw new Error('a bug', { cause: new Error('its root cause') }); }, 1500);
    `;
    const child = await execa('node', ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: projectRoot, env, extendEnv: false, reject: false, timeout: 60_000 });
    const lines = child.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Line);
    expect(child.exitCode, child.stderr).toBe(1);
    const rejection = lines.find((l) => l.msg === 'unhandled promise rejection');
    expect(rejection).toMatchObject({ level: 50, err: { message: 'a loose promise' } });
    const uncaught = lines.find((l) => l.msg.startsWith('uncaught exception'));
    expect(uncaught?.level).toBe(60);
    expect(uncaught?.err?.stack).toMatch(/Error: a bug\n\s+at /);
    expect(uncaught?.err?.stack).toMatch(/caused by: Error: its root cause/);
    // It went on after the rejection: the exception came later, from the same process.
    expect(lines.indexOf(rejection!)).toBeLessThan(lines.indexOf(uncaught!));
    expect(child.stderr).not.toMatch(/a bug|a loose promise/);
  });
});
