import { describe, expect, it } from 'vitest';
import { installPackage, requirementsOf } from './package-install.js';

describe('requirementsOf', () => {
  it("splits a pip_url into requirements as Meltano does, and refuses options", () => {
    expect(requirementsOf('meltanolabs-tap-postgres==0.10.0')).toEqual(['meltanolabs-tap-postgres==0.10.0']);
    expect(requirementsOf(' tap-a==1  tap-b[extra]>=2,<3 ')).toEqual(['tap-a==1', 'tap-b[extra]>=2,<3']);
    expect(requirementsOf('--index-url http://evil tap-a')).toBeUndefined();
    expect(requirementsOf('-e .')).toBeUndefined();
    expect(requirementsOf('  ')).toBeUndefined();
  });

  it('never starts uv for a pip_url that is not requirements', async () => {
    const lines: string[] = [];
    expect(await installPackage({ venvDir: '/nonexistent/venv', pipUrl: '--extra-index-url=http://x tap-a', onLine: (line) => lines.push(line) })).toEqual({
      ok: false,
      message: 'Could not install --extra-index-url=http://x tap-a: its pip_url "--extra-index-url=http://x tap-a" is not a list of package requirements (write it as name==version, e.g. tap-foo==1.2.3).',
      transient: false,
      cancelled: false,
    });
    expect(lines).toEqual([]);
  });
});
