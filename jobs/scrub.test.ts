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
});
