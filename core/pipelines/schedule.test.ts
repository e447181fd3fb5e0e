import { describe, expect, it } from 'vitest';
import { nextRuns, scheduleErrors } from './schedule.js';

const cronErrors = (cron: string) => scheduleErrors({ cron, timezone: 'UTC' })['schedule.cron'];

describe('schedules', () => {
  it('takes standard cron', () => {
    for (const cron of ['0 3 * * *', '*/15 9-17 * * MON-FRI', '0 0 1,15 * *', '5 4 * jan,jul sun', '0-30/10 * * * 1-5', '0 0 * * 7']) expect(cronErrors(cron), cron).toBeUndefined();
    const from = new Date('2025-01-01T00:00:00Z');
    expect(nextRuns({ cron: '0 3 * * *', timezone: 'UTC' }, 2, from)).toEqual(['2025-01-01T03:00:00.000Z', '2025-01-02T03:00:00.000Z']);
  });

  it('refuses what the scheduler would run differently or at random: H, L, W, #, ?', () => {
    for (const cron of ['H H * * *', 'H/5 * * * *', 'H(0-10) * * * *', '0 0 L * *', '0 0 * * 5L', '0 0 15W * *', '0 0 * * 1#1', '0 0 ? * *']) {
      expect(cronErrors(cron), cron).toEqual([expect.stringMatching(/not H, L, W, # or \?/)]);
    }
  });

  it('still names the field for other bad expressions', () => {
    expect(cronErrors('0 3 * *')).toEqual([expect.stringMatching(/5 fields/)]);
    expect(cronErrors('61 3 * * *')).toEqual([expect.stringMatching(/not a valid cron expression/)]);
    expect(scheduleErrors({ cron: '0 3 * * *', timezone: 'Mars/Olympus' })['schedule.timezone']).toBeDefined();
  });
});
