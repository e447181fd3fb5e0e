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
