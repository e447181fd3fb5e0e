import { describe, expect, it } from 'vitest';
import { ago, once, reuseDecision } from './discovery-reuse.js';

// The rules seen from a sync are in jobs/sync-catalog.test.ts; here, their edges and words.
describe('reuseDecision', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  const at = (secondsAgo: number) => new Date(now.getTime() - secondsAgo * 1000);
  const stored = { catalog: {}, discoveredAt: at(600), connectorChangedAt: at(3600), pluginChangedAt: at(7200), lastRunFailed: false };
  const policy = { liveSchema: false, maxAgeSeconds: 3600, now };

  it('needs a discovery made after the last change: one made the same instant does not count', () => {
    expect(reuseDecision({ ...stored, connectorChangedAt: stored.discoveredAt }, policy)).toEqual({ reuse: false, why: 'connector-changed' });
    expect(reuseDecision({ ...stored, pluginChangedAt: stored.discoveredAt }, policy)).toEqual({ reuse: false, why: 'plugin-changed' });
  });

  it('takes a discovery stored ahead of this clock for one just made', () => {
    expect(reuseDecision({ ...stored, discoveredAt: at(-5) }, policy)).toEqual({ reuse: true, ageSeconds: 0 });
  });

  it('says a change before the age, and the age before a failed run', () => {
    expect(reuseDecision({ ...stored, discoveredAt: at(7000), connectorChangedAt: at(6000), lastRunFailed: true }, policy)).toEqual({ reuse: false, why: 'connector-changed' });
    expect(reuseDecision({ ...stored, discoveredAt: at(3600), connectorChangedAt: at(9000), lastRunFailed: true }, policy)).toEqual({ reuse: false, why: 'old', ageSeconds: 3600 });
  });
});

describe('ago and once', () => {
  it('say whole units, rounded down, in words', () => {
    expect([0, 59, 60, 119, 720, 3600, 7199, 86_400, 3 * 86_400].map(ago)).toEqual([
      'less than a minute ago',
      'less than a minute ago',
      'a minute ago',
      'a minute ago',
      '12 minutes ago',
      'an hour ago',
      'an hour ago',
      'a day ago',
      '3 days ago',
    ]);
    expect([3600, 5400, 7200, 86_400, 60, 45, 1].map(once)).toEqual(['once an hour', 'once every 90 minutes', 'once every 2 hours', 'once a day', 'once a minute', 'once every 45 seconds', 'once a second']);
  });
});
