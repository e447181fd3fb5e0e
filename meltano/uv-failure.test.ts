import { describe, expect, it } from 'vitest';
import { explainUvFailure, uvErrorText } from './uv-failure.js';

// uv 0.13's own output, as captured from real failed installs.
const uvSaid = (text: string) => text.split('\n');

describe('explainUvFailure', () => {
  it('names a package PyPI does not have', () => {
    const lines = uvSaid(`Using Python 3.11.7 environment at: v1
error: No solution found when resolving dependencies
  cause: Because tap-does-not-exist-sluice was not found in the package registry and you require tap-does-not-exist-sluice==1.0.0, we can conclude that your requirements are unsatisfiable.`);
    expect(explainUvFailure(lines, 'tap-foo')).toEqual({ message: 'Could not install tap-foo: no package named "tap-does-not-exist-sluice" exists on PyPI. Check the package name and version in the plugin\'s pip_url.', transient: false });
  });

  it('names a version that does not exist', () => {
    const exact = uvSaid(`error: No solution found when resolving dependencies
  cause: Because there is no version of tap-jsonl==9.9 and you require tap-jsonl==9.9, we can conclude that your requirements are unsatisfiable.`);
    expect(explainUvFailure(exact, 'tap-jsonl').message).toBe('Could not install tap-jsonl: no version 9.9 of the package "tap-jsonl" exists on PyPI. Check the package name and version in the plugin\'s pip_url.');
    const range = uvSaid(`error: No solution found when resolving dependencies
  cause: Because only tap-jsonl<=0.3.1 is available and you require tap-jsonl>=9, we can conclude that your requirements are unsatisfiable.`);
    expect(explainUvFailure(range, 'tap-jsonl').message).toBe('Could not install tap-jsonl: no version of the package "tap-jsonl" matching >=9 exists on PyPI (what exists: <=0.3.1). Check the package name and version in the plugin\'s pip_url.');
  });

  it('says when the package index cannot be reached, as worth retrying', () => {
    const lines = uvSaid(`error: Request failed after 3 retries in 6.8s
  cause: Failed to fetch: http://127.0.0.1:9/simple/tap-csv/
  cause: error sending request for url (http://127.0.0.1:9/simple/tap-csv/)
  cause: client error (Connect)
  cause: tcp connect error
  cause: Connection refused (os error 111)`);
    expect(explainUvFailure(lines, 'tap-csv')).toEqual({ message: expect.stringMatching(/^Could not install tap-csv: PyPI \(or the package index this machine uses\) could not be reached\./), transient: true });
  });

  it('says a build failed, and a requirement that is not one', () => {
    expect(explainUvFailure(uvSaid('error: Failed to build `numpy==1.21.0`\n  cause: The build backend returned an error\nhint: Build failures usually indicate a problem with the package or the build environment'), 'x').message).toMatch(/^Could not install x: building numpy==1\.21\.0 from its source failed on this machine/);
    expect(explainUvFailure(uvSaid('error: Failed to parse: `tap foo==`\n  cause: Expected one of `@`, `(`, `<`, `=`, `>`, `~`, `!`, `;`, found `f`\n         tap foo==\n             ^'), 'x').message).toMatch(/^Could not install x: "tap foo==" is not a valid package requirement/);
  });

  it("falls back to uv's own last words, wrapped causes joined", () => {
    const conflict = uvSaid(`error: No solution found when resolving dependencies
  cause: Because meltanolabs-tap-postgres>=0.10.0 depends on sqlalchemy==2.0.51 and you require meltanolabs-tap-postgres==0.10.0, we can conclude that you require sqlalchemy==2.0.51.
         And because you require sqlalchemy<1, we can conclude that your requirements are unsatisfiable.`);
    expect(uvErrorText(conflict)).toHaveLength(2);
    expect(explainUvFailure(conflict, 'tap-postgres')).toEqual({
      message: 'Could not install tap-postgres: No solution found when resolving dependencies: Because meltanolabs-tap-postgres>=0.10.0 depends on sqlalchemy==2.0.51 and you require meltanolabs-tap-postgres==0.10.0, we can conclude that you require sqlalchemy==2.0.51. And because you require sqlalchemy<1, we can conclude that your requirements are unsatisfiable.',
      transient: false,
    });
    expect(explainUvFailure(['something odd'], 'x').message).toBe("Could not install x: uv stopped without saying why; its output is in the run log.");
  });

  it('reads the fancy form too', () => {
    const fancy = uvSaid(`  × No solution found when resolving dependencies:
  ╰─▶ Because tap-nope was not found in the package registry and you require tap-nope, we can conclude that your requirements are unsatisfiable.`);
    expect(explainUvFailure(fancy, 'x').message).toMatch(/no package named "tap-nope"/);
  });
});
