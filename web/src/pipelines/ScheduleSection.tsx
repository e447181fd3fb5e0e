import { useEffect, useRef, useState, type FormEvent } from 'react';
import { primaryButton, secondaryButton } from '../ui/styles.js';
import type { Draft } from '../wizard/draft.js';
import { ScheduleFields } from '../wizard/ScheduleFields.js';
import { cronOf, nextRuns, scheduleInWords } from '../wizard/schedule-words.js';
import { PausedBadge, ScheduleFacts } from './PipelineParts.js';
import { usePatchPipeline } from './queries.js';
import { failureOf, type PipelineView } from './types.js';
import { fieldName, presetOf, scheduleSummary } from './words.js';

const localZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

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
      <ScheduleFields schedule={schedule} set={set} idPrefix="pipeline-schedule" manualLabel="Only when someone presses “Run now”" errors={problems} autoFocus />
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
