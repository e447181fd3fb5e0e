import { CronExpressionParser } from 'cron-parser';
import cronstrue from 'cronstrue';
import type { Draft } from './draft.js';

export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** The cron expression a preset stands for (custom: the one typed; manual: none). */
export function cronOf(schedule: Draft['schedule']): string | null {
  const [hour = '2', minute = '0'] = schedule.time.split(':').map((p) => String(Number(p)));
  switch (schedule.preset) {
    case 'manual':
      return null;
    case 'hourly':
      return `${minute} * * * *`;
    case 'nightly':
      return `${minute} ${hour} * * *`;
    case 'weekly':
      return `${minute} ${hour} * * ${schedule.weekday}`;
    case 'custom':
      return schedule.cron.trim();
  }
}

/** "At 02:00 AM, every day" style words for a cron expression, or why it cannot be read. */
export function scheduleInWords(cron: string, timezone: string): { words: string } | { error: string } {
  try {
    return { words: `${cronstrue.toString(cron, { use24HourTimeFormat: true, verbose: true })} (${timezone.replace(/_/g, ' ')})` };
  } catch {
    return { error: 'This is not a schedule Sluice can read. Use five fields: minute hour day month weekday, e.g. 0 2 * * * for every night at 02:00.' };
  }
}

/** The next `count` run times, as the person reads them in their own language and the schedule's time zone. */
export function nextRuns(cron: string, timezone: string, count = 3): string[] {
  try {
    const expression = CronExpressionParser.parse(cron, { tz: timezone });
    const format = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short', timeZone: timezone });
    return Array.from({ length: count }, () => format.format(expression.next().toDate()));
  } catch {
    return [];
  }
}
