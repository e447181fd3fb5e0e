import { textField } from '../ui/styles.js';
import type { Draft, SchedulePreset } from './draft.js';
import { WEEKDAYS } from './schedule-words.js';

const zones = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf: (key: string) => string[] }).supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
})();

const labelClass = 'mb-1 block text-sm font-medium text-slate-900';

/**
 * The schedule's inputs, the same in the wizard and on a pipeline's page: a preset, then the
 * time, minute, weekday, cron expression and time zone it needs. Errors the server named are
 * shown at the cron and time-zone fields.
 */
export function ScheduleFields(props: {
  schedule: Draft['schedule'];
  set: (change: Partial<Draft['schedule']>) => void;
  /** Prefix of the inputs' ids (and the radio group's name): two forms may be on one page. */
  idPrefix: string;
  /** How the "no schedule" choice reads where it is shown. */
  manualLabel: string;
  errors?: { cron?: string | undefined; timezone?: string | undefined };
  /** Focus the chosen preset when shown (an editor opened on purpose). */
  autoFocus?: boolean;
}) {
  const { schedule, set, idPrefix: id, errors = {} } = props;
  const presets: Array<[SchedulePreset, string]> = [
    ['nightly', 'Every night'],
    ['hourly', 'Every hour'],
    ['weekly', 'Every week'],
    ['custom', 'Custom (cron)'],
    ['manual', props.manualLabel],
  ];
  return (
    <>
      <fieldset>
        <legend className="mb-2 font-medium text-slate-900">When should Sluice copy new data?</legend>
        <div className="grid gap-2 sm:grid-cols-2">
          {presets.map(([value, label]) => (
            <label key={value} className="flex items-center gap-2 rounded border border-slate-300 bg-white p-2 text-slate-900 has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-blue-700">
              <input type="radio" name={`${id}-preset`} value={value} checked={schedule.preset === value} onChange={() => set({ preset: value })} className="h-4 w-4" autoFocus={props.autoFocus === true && schedule.preset === value} />
              {label}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="mt-4 grid gap-3 sm:grid-cols-3">
        {(schedule.preset === 'nightly' || schedule.preset === 'weekly') && (
          <div>
            <label htmlFor={`${id}-time`} className={labelClass}>At</label>
            <input id={`${id}-time`} type="time" className={textField} value={schedule.time} onChange={(e) => set({ time: e.target.value || '02:00' })} />
          </div>
        )}
        {schedule.preset === 'hourly' && (
          <div>
            <label htmlFor={`${id}-minute`} className={labelClass}>Minutes past the hour</label>
            <input
              id={`${id}-minute`}
              type="number"
              min={0}
              max={59}
              className={textField}
              value={Number(schedule.time.split(':')[1] ?? 0)}
              onChange={(e) => set({ time: `00:${String(Math.min(59, Math.max(0, Number(e.target.value) || 0))).padStart(2, '0')}` })}
            />
          </div>
        )}
        {schedule.preset === 'weekly' && (
          <div>
            <label htmlFor={`${id}-weekday`} className={labelClass}>On</label>
            <select id={`${id}-weekday`} className={textField} value={schedule.weekday} onChange={(e) => set({ weekday: Number(e.target.value) })}>
              {WEEKDAYS.map((day, i) => (
                <option key={day} value={i}>{day}</option>
              ))}
            </select>
          </div>
        )}
        {schedule.preset === 'custom' && (
          <div>
            <label htmlFor={`${id}-cron`} className={labelClass}>Cron expression</label>
            <input
              id={`${id}-cron`}
              className={`${textField} ${errors.cron ? 'border-red-800' : ''}`}
              value={schedule.cron}
              onChange={(e) => set({ cron: e.target.value })}
              aria-describedby={`${id}-cron-help${errors.cron ? ` ${id}-cron-error` : ''}`}
              aria-invalid={errors.cron ? true : undefined}
            />
            <p id={`${id}-cron-help`} className="mt-1 text-sm text-slate-800">Five fields: minute hour day month weekday.</p>
            {errors.cron && (
              <p id={`${id}-cron-error`} role="alert" className="mt-1 text-sm font-medium text-red-800">{errors.cron}</p>
            )}
          </div>
        )}
        {schedule.preset !== 'manual' && (
          <div>
            <label htmlFor={`${id}-zone`} className={labelClass}>Time zone</label>
            <select
              id={`${id}-zone`}
              className={textField}
              value={schedule.timezone}
              onChange={(e) => set({ timezone: e.target.value })}
              aria-invalid={errors.timezone ? true : undefined}
              {...(errors.timezone ? { 'aria-describedby': `${id}-zone-error` } : {})}
            >
              {(zones.includes(schedule.timezone) ? zones : [schedule.timezone, ...zones]).map((z) => (
                <option key={z} value={z}>{z.replace(/_/g, ' ')}</option>
              ))}
            </select>
            {errors.timezone && (
              <p id={`${id}-zone-error`} role="alert" className="mt-1 text-sm font-medium text-red-800">{errors.timezone}</p>
            )}
          </div>
        )}
      </div>
    </>
  );
}
