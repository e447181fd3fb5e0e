import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useLocation } from 'wouter';
import { api } from '../../api.js';
import { useCatalog } from '../../pages/CatalogPage.js';
import { textField } from '../../ui/styles.js';
import { resetDraft, updateDraft, useDraft } from '../draft.js';
import { cronOf, scheduleInWords } from '../schedule-words.js';
import { StepButtons } from '../StepButtons.js';

type ApiFailure = Error & { detail?: { fields?: Record<string, string[]> } };

export function Review({ onBack, onDone }: { onBack: () => void; onDone: () => void }) {
  const draft = useDraft();
  const catalog = useCatalog();
  const client = useQueryClient();
  const [, navigate] = useLocation();
  const [pipelineName, setPipelineName] = useState(`${draft.name} nightly`);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const source = catalog.data?.find((p) => p.name === draft.plugin);
  const chosen = Object.entries(draft.streams).filter(([, s]) => s.selected);
  const cron = cronOf(draft.schedule);
  const words = cron ? scheduleInWords(cron, draft.schedule.timezone) : null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const pipeline = await api<{ id: string }>('/pipelines', {
        method: 'POST',
        body: JSON.stringify({
          name: pipelineName.trim(),
          source_connector_id: draft.connectorId,
          streams: chosen.map(([stream, s]) => ({ stream, sync_mode: s.sync_mode, ...(s.replication_key && s.sync_mode.startsWith('incremental') ? { replication_key: s.replication_key } : {}) })),
          schedule: cron ? { cron, timezone: draft.schedule.timezone } : null,
        }),
      });
      const { run_id } = await api<{ run_id: string }>(`/pipelines/${pipeline.id}/runs`, { method: 'POST' });
      void client.invalidateQueries({ queryKey: ['pipelines'] });
      resetDraft();
      onDone();
      navigate(`/runs/${run_id}`);
    } catch (e) {
      const failure = e as ApiFailure;
      const fields = failure.detail?.fields;
      setError(fields ? Object.entries(fields).map(([field, problems]) => `${field === 'name' ? 'Pipeline name' : field}: ${problems.join(', ')}`).join('. ') : failure.message);
      if (fields && Object.keys(fields).some((f) => f.startsWith('streams'))) updateDraft({});
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)}>
      <dl className="grid grid-cols-[12rem_1fr] gap-x-4 gap-y-2">
        <dt className="font-medium">Source</dt>
        <dd>{source?.label ?? draft.plugin} — “{draft.name}”, connection tested and working</dd>
        <dt className="font-medium">Tables</dt>
        <dd>
          <ul>
            {chosen.map(([stream, s]) => (
              <li key={stream}>
                {stream}: {s.sync_mode.startsWith('incremental') ? `new and changed rows${s.replication_key ? ` (by ${s.replication_key})` : ''}` : 'the whole table'}
                {s.sync_mode.endsWith('overwrite') ? ', replacing the copy each time' : s.sync_mode.endsWith('deduped') ? ', one row per key' : ', adding rows'}
              </li>
            ))}
          </ul>
        </dd>
        <dt className="font-medium">Destination</dt>
        <dd>Your ClickHouse warehouse</dd>
        <dt className="font-medium">Schedule</dt>
        <dd>{!words ? 'Only when you press “Run now”' : 'words' in words ? words.words : words.error}</dd>
      </dl>
      <div className="mt-4 max-w-md">
        <label htmlFor="pipeline-name" className="mb-1 block text-sm font-medium">Name of this sync (required)</label>
        <input id="pipeline-name" className={textField} value={pipelineName} onChange={(e) => setPipelineName(e.target.value)} required maxLength={100} />
      </div>
      {error && <p role="alert" className="mt-3 text-red-800">{error}</p>}
      <StepButtons onBack={onBack} nextLabel={busy ? 'Creating…' : 'Create and run now'} busy={busy} />
    </form>
  );
}
