import { CronExpressionParser } from 'cron-parser';
import type { FieldErrors } from '../errors.js';

export type Schedule = { cron: string; timezone: string };

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const NAMES = [undefined, undefined, undefined, 'JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC', 'SUN|MON|TUE|WED|THU|FRI|SAT'];

/**
 * Standard cron only. cron-parser also takes Jenkins's `H` (a value drawn at random on every
 * parse: the next runs shown would change on each read and the scheduler would fire at yet
 * another time), `L`, `W`, `#` and `?`, and the scheduler (BullMQ) carries its own copy of
 * cron-parser at another version: whatever the two might read differently is refused.
 */
function plainField(field: string, index: number): boolean {
  const names = NAMES[index];
  const atom = names ? `(?:\\d{1,2}|${names})` : '\\d{1,2}';
  const item = `(?:\\*|${atom}(?:-${atom})?)(?:/\\d{1,2})?`;
  return new RegExp(`^${item}(?:,${item})*$`, 'i').test(field);
}

/**
 * Checks a schedule: a 5-field cron expression (minute hour day-of-month month day-of-week,
 * the form BullMQ's job schedulers take) and an IANA time zone. Returns field errors, empty
 * when valid.
 *
 * @example
 * scheduleErrors({ cron: '0 3 * * *', timezone: 'Europe/Paris' }) // {}
 */
export function scheduleErrors(schedule: Schedule): FieldErrors {
  const errors: FieldErrors = {};
  const fields = schedule.cron.trim().split(/\s+/);
  if (fields.length !== 5) {
    errors['schedule.cron'] = [`must have 5 fields (minute hour day month weekday), like "0 3 * * *"; this has ${fields.length}`];
  } else if (fields.some((field, i) => !plainField(field, i))) {
    errors['schedule.cron'] = [
      'may use only numbers, *, ranges (1-5), lists (1,3) and steps (*/15), with month and weekday names like JAN or MON; not H, L, W, # or ?, which Sluice would show one way and the scheduler run another',
    ];
  } else {
    try {
      CronExpressionParser.parse(schedule.cron, { tz: 'UTC' });
    } catch (error) {
      errors['schedule.cron'] = [`is not a valid cron expression: ${error instanceof Error ? error.message : String(error)}`];
    }
  }
  if (!isTimeZone(schedule.timezone)) errors['schedule.timezone'] = ['must be an IANA time zone, like "Europe/Paris" or "UTC"'];
  return errors;
}

/** The next `count` times the schedule fires, as ISO timestamps. */
export function nextRuns(schedule: Schedule, count = 5, from = new Date()): string[] {
  const times = CronExpressionParser.parse(schedule.cron, { tz: schedule.timezone, currentDate: from });
  return Array.from({ length: count }, () => times.next().toDate().toISOString());
}
