import { describe, expect, it } from 'vitest';
import { createScrubber } from './scrub.js';

describe('createScrubber', () => {
  it('hides secrets in plain, JSON-escaped and URL-encoded form', () => {
    const scrub = createScrubber(['p@ss"word/1']);
    expect(scrub('password=p@ss"word/1')).toBe('password=********');
    expect(scrub(JSON.stringify({ password: 'p@ss"word/1' }))).toBe('{"password":"********"}');
    expect(scrub(`postgresql://u:${encodeURIComponent('p@ss"word/1')}@h/db`)).toBe('postgresql://u:********@h/db');
  });

  it('treats regex characters literally and leaves other text alone', () => {
    const scrub = createScrubber(['a.b*c', '']);
    expect(scrub('a.b*c and aXbbc')).toBe('******** and aXbbc');
    expect(createScrubber([])('nothing to hide')).toBe('nothing to hide');
  });

  it('hides the parts of a secret connection URL that a driver prints on their own', () => {
    const url = 'postgresql+psycopg://reader:S3cr%40t-pw@db.example.com:5432/shop';
    const scrub = createScrubber([url]);
    expect(scrub(`could not connect with ${url}`)).toBe('could not connect with ********');
    expect(scrub('password "S3cr@t-pw" rejected')).toBe('password "********" rejected');
    expect(scrub("args=('reader:S3cr%40t-pw',)")).toBe("args=('********',)");
    // the host and database are not secret and stay readable
    expect(scrub('connection to db.example.com:5432/shop failed')).toBe('connection to db.example.com:5432/shop failed');
  });

  it('masks the password of any URL with credentials, even one it was not told about', () => {
    const scrub = createScrubber([]);
    expect(scrub('engine=postgresql://bob:guessme@10.0.0.5/db')).toBe('engine=postgresql://bob:********@10.0.0.5/db');
    expect(scrub('see https://example.com/a:b@c')).toBe('see https://example.com/a:b@c');
  });

  it('hides a secret as a Python repr prints it', () => {
    const scrub = createScrubber(["it's-secret"]);
    expect(scrub("{'password': 'it\\'s-secret'}")).toBe("{'password': '********'}");
  });
});
