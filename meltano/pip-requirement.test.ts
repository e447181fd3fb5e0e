import { describe, expect, it } from 'vitest';
import { parsePipUrl, parseRequirement, pinnedRequirement } from './pip-requirement.js';

describe('parseRequirement', () => {
  it.each([
    ['meltanolabs-tap-github==1.30.1', 'meltanolabs-tap-github', '1.30.1'],
    ['Tap_Foo.Bar==0.0.1a1', 'tap-foo-bar', '0.0.1a1'],
    ['tap-s3-csv[parquet,s3]>=2.0,<3', 'tap-s3-csv', undefined],
    ['tap-foo~=1.2', 'tap-foo', undefined],
    ['tap-foo', 'tap-foo', undefined],
    ['tap-foo==1.2.*', 'tap-foo', undefined],
  ])('accepts %s', (text, name, pinned) => {
    const r = parseRequirement(text);
    expect(r).toMatchObject({ ok: true, name, pinned });
  });

  it.each([
    ['git+https://github.com/MeltanoLabs/tap-github.git', /not a URL/],
    ['tap-github @ https://example.com/tap.whl', /not a URL/],
    ['https://example.com/tap.whl', /not a URL/],
    ['file:///tmp/tap.whl', /not a URL/],
    ['./tap-foo', /not a path/],
    ['/tmp/tap-foo', /not a path/],
    ['~/tap', /not a path/],
    ['../x', /not a path/],
    ['--index-url=http://evil', /not a URL/],
    ['-e .', /option/],
        ['tap-foo==1.0; rm -rf /', /no spaces/],
    ['tap-foo;rm', /may only hold/],
    ['tap-foo==1.0`id`', /may only hold/],
    ['tap-foo$(id)', /may only hold/],
    ['tap-foo|sh', /may only hold/],
    ['tap-foo==latest', /not a version/],
    ['tap-foo=1.0', /not a version/],
    ['-tap', /option/],
    ['', /is required/],
    [42, /is required/],
    ['x'.repeat(201), /too long/],
  ])('refuses %s', (text, reason) => {
    const r = parseRequirement(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('pins to the version installed, keeping the name as written and the extras', () => {
    const r = parseRequirement('Tap-S3-CSV[s3]>=2');
    if (!r.ok) throw new Error(r.reason);
    expect(pinnedRequirement(r, '2.3.1')).toBe('Tap-S3-CSV[s3]==2.3.1');
  });
});

describe('parsePipUrl', () => {
  it('takes the plugin package and pinned companions', () => {
    expect(parsePipUrl('tap-rest-api-msdk==1.4.2 setuptools==80.10.2')).toMatchObject({ ok: true, main: { name: 'tap-rest-api-msdk' }, companions: [{ name: 'setuptools', pinned: '80.10.2' }] });
    expect(parsePipUrl('tap-x')).toMatchObject({ ok: true, companions: [] });
  });
  it.each([
    ['tap-x==1 setuptools', /must be pinned/],
    ['tap-x==1 tap-x==1', /same package twice/],
    ['tap-x==1 ; id', /package 2/],
    ['tap-x==1 git+https://x/y', /not a URL/],
    ['a==1 b==1 c==1 d==1 e==1 f==1', /at most 4/],
    ['tap-x==1\tb==2', /no spaces/],
  ])('refuses %s', (text, reason) => {
    const r = parsePipUrl(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});
