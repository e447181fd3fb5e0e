import { useState, type FormEvent } from 'react';
import { textField } from '../../ui/styles.js';
import { updateDraft, useDraft, type Draft, type SchedulePreset } from '../draft.js';
import { cronOf, nextRuns, scheduleInWords, WEEKDAYS } from '../schedule-words.js';
import { StepButtons } from '../StepButtons.js';

const PRESETS: Array<[SchedulePreset, string]> = [
  ['nightly', 'Every night'],
  ['hourly', 'Every hour'],
  ['weekly', 'Every week'],
  ['custom', 'Custom (cron)'],
  ['manual', 'Only when I press “Run now”'],
];
const zones = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf: (key: string) => string[] }).supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
})();

export function Schedule({ onBack, onNext }: { onBack: () => void; onNext: () => void }) {
  const { schedule } = useDraft();
  const [error, setError] = useState<string | null>(null);
  const set = (change: Partial<Draft['schedule']>) => updateDraft((d) => ({ schedule: { ...d.schedule, ...change } }));
  const cron = cronOf(schedule);
  const words = cron ? scheduleInWords(cron, schedule.timezone) : null;
  const upcoming = cron ? nextRuns(cron, schedule.timezone) : [];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (words && 'error' in words) return setError(words.error);
    setError(null);
    onNext();
  };
  return (
    <form onSubmit={submit}>
      <fieldset>
        <legend className="mb-2 font-medium">When should Sluice copy new data?</legend>
        <div className="grid gap-2 sm:grid-cols-2">
          {PRESETS.map(([value, label]) => (
            <label key={value} className="flex items-center gap-2 rounded border border-slate-300 p-2">
              <input type="radio" name="preset" value={value} checked={schedule.preset === value} onChange={() => set({ preset: value })} className="h-4 w-4" />
              {label}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="mt-4 grid gap-3 sm:grid-cols-3">
        {(schedule.preset === 'nightly' || schedule.preset === 'weekly') && (
          <div>
            <label htmlFor="schedule-time" className="mb-1 block text-sm font-medium">At</label>
            <input id="schedule-time" type="time" className={textField} value={schedule.time} onChange={(e) => set({ time: e.target.value || '02:00' })} />
          </div>
        )}
        {schedule.preset === 'hourly' && (
          <div>
            <label htmlFor="schedule-minute" className="mb-1 block text-sm font-medium">Minutes past the hour</label>
            <input id="schedule-minute" type="number" min={0} max={59} className={textField} value={Number(schedule.time.split(':')[1] ?? 0)} onChange={(e) => set({ time: `00:${String(Math.min(59, Math.max(0, Number(e.target.value) || 0))).padStart(2, '0')}` })} />
          </div>
        )}
        {schedule.preset === 'weekly' && (
          <div>
            <label htmlFor="schedule-weekday" className="mb-1 block text-sm font-medium">On</label>
            <select id="schedule-weekday" className={textField} value={schedule.weekday} onChange={(e) => set({ weekday: Number(e.target.value) })}>
              {WEEKDAYS.map((day, i) => <option key={day} value={i}>{day}</option>)}
            </select>
          </div>
        )}
        {schedule.preset === 'custom' && (
          <div>
            <label htmlFor="schedule-cron" className="mb-1 block text-sm font-medium">Cron expression</label>
            <input id="schedule-cron" className={textField} value={schedule.cron} onChange={(e) => set({ cron: e.target.value })} aria-describedby="schedule-cron-help" />
            <p id="schedule-cron-help" className="mt-1 text-sm text-slate-700">Five fields: minute hour day month weekday.</p>
          </div>
        )}
        {schedule.preset !== 'manual' && (
          <div>
            <label htmlFor="schedule-zone" className="mb-1 block text-sm font-medium">Time zone</label>
            <select id="schedule-zone" className={textField} value={schedule.timezone} onChange={(e) => set({ timezone: e.target.value })}>
              {(zones.includes(schedule.timezone) ? zones : [schedule.timezone, ...zones]).map((z) => <option key={z} value={z}>{z.replace(/_/g, ' ')}</option>)}
            </select>
          </div>
        )}
      </div>
      <div className="mt-4" aria-live="polite" data-testid="schedule-summary">
        {!cron && <p>Sluice will not sync on its own; you start each sync with “Run now”.</p>}
        {words && 'words' in words && <p className="font-medium">{words.words}</p>}
        {words && 'error' in words && <p className="text-red-800">{words.error}</p>}
        {upcoming.length > 0 && (
          <>
            <p className="mt-2 text-sm text-slate-800">The next three syncs:</p>
            <ul className="list-disc pl-6 text-sm">{upcoming.map((t) => <li key={t}>{t}</li>)}</ul>
          </>
        )}
      </div>
      {error && <p role="alert" className="mt-3 text-red-800">{error}</p>}
      <StepButtons onBack={onBack} />
    </form>
  );
}
