import { describe, expect, it } from 'vitest';
import { escapeLike } from './service.js';

describe('escapeLike (the audit log\'s "who" filter matches text, not patterns)', () => {
  it('escapes %, _ and the backslash, and leaves the rest', () => {
    expect(escapeLike('ann@example.test')).toBe('ann@example.test');
    expect(escapeLike('100%_sure')).toBe('100\\%\\_sure');
    expect(escapeLike('a\\b')).toBe('a\\\\b');
    expect(escapeLike('token "x"')).toBe('token "x"');
  });
});
