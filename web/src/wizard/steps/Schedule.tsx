import { useState, type FormEvent } from 'react';
import { updateDraft, useDraft, type Draft } from '../draft.js';
import { cronOf, nextRuns, scheduleInWords } from '../schedule-words.js';
import { ScheduleFields } from '../ScheduleFields.js';
import { StepButtons } from '../StepButtons.js';

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
      <ScheduleFields schedule={schedule} set={set} idPrefix="schedule" manualLabel="Only when I press “Run now”" />
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
