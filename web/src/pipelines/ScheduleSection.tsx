import { useEffect, useRef, useState, type FormEvent } from 'react';
import { primaryButton, secondaryButton, textField } from '../ui/styles.js';
import type { Draft, SchedulePreset } from '../wizard/draft.js';
import { cronOf, nextRuns, scheduleInWords, WEEKDAYS } from '../wizard/schedule-words.js';
import { PausedBadge, ScheduleFacts } from './PipelineParts.js';
import { usePatchPipeline } from './queries.js';
import { failureOf, type PipelineView } from './types.js';
import { fieldName, presetOf, scheduleSummary } from './words.js';

const PRESETS: Array<[SchedulePreset, string]> = [
  ['nightly', 'Every night'],
  ['hourly', 'Every hour'],
  ['weekly', 'Every week'],
  ['custom', 'Custom (cron)'],
  ['manual', 'Only when someone presses “Run now”'],
];

const localZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const zones = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf: (key: string) => string[] }).supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
})();

type FieldProblems = { cron?: string; timezone?: string; other: string[] };

function ScheduleEditor({ pipeline, onDone }: { pipeline: PipelineView; onDone: (said: string) => void }) {
  const [schedule, setSchedule] = useState<Draft['schedule']>(() => presetOf(pipeline.schedule, localZone()));
  const [problems, setProblems] = useState<FieldProblems>({ other: [] });
  const patch = usePatchPipeline(pipeline.id);
  const set = (change: Partial<Draft['schedule']>) => setSchedule((s) => ({ ...s, ...change }));
  const cron = cronOf(schedule);
  const words = cron ? scheduleInWords(cron, schedule.timezone) : null;
  const upcoming = cron ? nextRuns(cron, schedule.timezone) : [];

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (words && 'error' in words) return setProblems({ cron: words.error, other: [] });
    setProblems({ other: [] });
    const wanted = cron ? { cron, timezone: schedule.timezone } : null;
    patch.mutate(
      { schedule: wanted },
      {
        onSuccess: (saved) => onDone(`Saved: ${scheduleSummary(saved.schedule)}.${saved.enabled ? '' : ' The pipeline is paused: resume it for the schedule to run.'}`),
        onError: (error) => {
          const failure = failureOf(error);
          const fields = failure.detail?.fields ?? {};
          const found: FieldProblems = { other: [] };
          for (const [field, list] of Object.entries(fields)) {
            if (field === 'schedule.cron') found.cron = `Sluice cannot use this schedule: it ${list.join(' ')}`;
            else if (field === 'schedule.timezone') found.timezone = `This time zone ${list.join(' ')}`;
            else found.other.push(`${field.startsWith('streams.') ? 'A table' : fieldName(field)}: ${list.join(' ')}`);
          }
          if (!found.cron && !found.timezone && found.other.length === 0) found.other.push(`Nothing was saved: ${failure.message}`);
          // A problem with the cron of a preset can only be shown in general: its field is not on screen.
          if (found.cron && schedule.preset !== 'custom') found.other.push(found.cron);
          setProblems(found);
        },
      },
    );
  };

  return (
    <form onSubmit={submit} className="mt-3 rounded border border-slate-300 bg-slate-50 p-4" aria-label="Change the schedule" data-testid="schedule-editor">
      <fieldset>
        <legend className="mb-2 font-medium text-slate-900">When should Sluice copy new data?</legend>
        <div className="grid gap-2 sm:grid-cols-2">
          {PRESETS.map(([value, label]) => (
            <label key={value} className="flex items-center gap-2 rounded border border-slate-300 bg-white p-2 text-slate-900 has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-blue-700">
              <input type="radio" name="pipeline-schedule-preset" value={value} checked={schedule.preset === value} onChange={() => set({ preset: value })} className="h-4 w-4" autoFocus={schedule.preset === value} />
              {label}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="mt-4 grid gap-3 sm:grid-cols-3">
        {(schedule.preset === 'nightly' || schedule.preset === 'weekly') && (
          <div>
            <label htmlFor="pipeline-schedule-time" className="mb-1 block text-sm font-medium text-slate-900">
              At
            </label>
            <input id="pipeline-schedule-time" type="time" className={textField} value={schedule.time} onChange={(e) => set({ time: e.target.value || '02:00' })} />
          </div>
        )}
        {schedule.preset === 'hourly' && (
          <div>
            <label htmlFor="pipeline-schedule-minute" className="mb-1 block text-sm font-medium text-slate-900">
              Minutes past the hour
            </label>
            <input
              id="pipeline-schedule-minute"
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
            <label htmlFor="pipeline-schedule-weekday" className="mb-1 block text-sm font-medium text-slate-900">
              On
            </label>
            <select id="pipeline-schedule-weekday" className={textField} value={schedule.weekday} onChange={(e) => set({ weekday: Number(e.target.value) })}>
              {WEEKDAYS.map((day, i) => (
                <option key={day} value={i}>
                  {day}
                </option>
              ))}
            </select>
          </div>
        )}
        {schedule.preset === 'custom' && (
          <div>
            <label htmlFor="pipeline-schedule-cron" className="mb-1 block text-sm font-medium text-slate-900">
              Cron expression
            </label>
            <input
              id="pipeline-schedule-cron"
              className={`${textField} ${problems.cron ? 'border-red-800' : ''}`}
              value={schedule.cron}
              onChange={(e) => set({ cron: e.target.value })}
              aria-describedby={`pipeline-schedule-cron-help${problems.cron ? ' pipeline-schedule-cron-error' : ''}`}
              aria-invalid={problems.cron ? true : undefined}
            />
            <p id="pipeline-schedule-cron-help" className="mt-1 text-sm text-slate-800">
              Five fields: minute hour day month weekday.
            </p>
            {problems.cron && (
              <p id="pipeline-schedule-cron-error" role="alert" className="mt-1 text-sm font-medium text-red-800">
                {problems.cron}
              </p>
            )}
          </div>
        )}
        {schedule.preset !== 'manual' && (
          <div>
            <label htmlFor="pipeline-schedule-zone" className="mb-1 block text-sm font-medium text-slate-900">
              Time zone
            </label>
            <select
              id="pipeline-schedule-zone"
              className={textField}
              value={schedule.timezone}
              onChange={(e) => set({ timezone: e.target.value })}
              aria-invalid={problems.timezone ? true : undefined}
              {...(problems.timezone ? { 'aria-describedby': 'pipeline-schedule-zone-error' } : {})}
            >
              {(zones.includes(schedule.timezone) ? zones : [schedule.timezone, ...zones]).map((z) => (
                <option key={z} value={z}>
                  {z.replace(/_/g, ' ')}
                </option>
              ))}
            </select>
            {problems.timezone && (
              <p id="pipeline-schedule-zone-error" role="alert" className="mt-1 text-sm font-medium text-red-800">
                {problems.timezone}
              </p>
            )}
          </div>
        )}
      </div>
      <div className="mt-4 text-slate-900" aria-live="polite" data-testid="schedule-preview">
        {!cron && <p>Sluice will not sync on its own: each sync starts when someone presses “Run now”.</p>}
        {words && 'words' in words && <p className="font-medium">{cron && scheduleSummary({ cron, timezone: schedule.timezone })}</p>}
        {words && 'error' in words && schedule.preset === 'custom' && !problems.cron && <p className="text-red-800">{words.error}</p>}
        {upcoming.length > 0 && (
          <>
            <p className="mt-2 text-sm text-slate-800">The next three syncs{pipeline.enabled ? '' : ' (once you resume the pipeline)'}:</p>
            <ul className="list-disc pl-6 text-sm">
              {upcoming.map((t) => (
                <li key={t}>{t}</li>
              ))}
            </ul>
          </>
        )}
      </div>
      {problems.other.length > 0 && (
        <div role="alert" className="mt-3 rounded border border-red-700 bg-red-50 p-3 text-red-900">
          <p className="font-medium">The schedule was not saved:</p>
          <ul className="list-disc pl-5">
            {problems.other.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="mt-4 flex flex-wrap gap-2">
        <button type="submit" className={primaryButton} disabled={patch.isPending}>
          {patch.isPending ? 'Saving…' : 'Save schedule'}
        </button>
        <button type="button" className={secondaryButton} onClick={() => onDone('')}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** When the pipeline syncs, in words, with the next three syncs; admins can change it. */
export function ScheduleSection({ pipeline, canEdit }: { pipeline: PipelineView; canEdit: boolean }) {
  const [editing, setEditing] = useState(false);
  const [said, setSaid] = useState('');
  const button = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);
  useEffect(() => {
    if (wasEditing.current && !editing) button.current?.focus();
    wasEditing.current = editing;
  }, [editing]);
  return (
    <section aria-labelledby="schedule-title" className="space-y-2">
      <div className="flex flex-wrap items-center gap-3">
        <h2 id="schedule-title" className="text-xl font-semibold text-slate-900">
          Schedule
        </h2>
        {!pipeline.enabled && <PausedBadge />}
      </div>
      <ScheduleFacts pipeline={pipeline} />
      <p role="status" className="text-slate-900" data-testid="schedule-saved">
        {said}
      </p>
      {canEdit && !editing && (
        <button
          ref={button}
          type="button"
          className={secondaryButton}
          onClick={() => {
            setSaid('');
            setEditing(true);
          }}
        >
          Change the schedule
        </button>
      )}
      {canEdit && editing && (
        <ScheduleEditor
          pipeline={pipeline}
          onDone={(message) => {
            setSaid(message);
            setEditing(false);
          }}
        />
      )}
    </section>
  );
}
