import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api.js';
import { secondaryButton, textField } from '../../ui/styles.js';
import { updateDraft, useDraft, type StreamChoice } from '../draft.js';
import { waitForRun } from '../run-result.js';
import { StepButtons } from '../StepButtons.js';

type Offered = {
  stream: string;
  properties: Record<string, unknown>;
  key_properties: string[];
  replication_keys: string[];
  sync_modes: Array<{ sync_mode: string; label: string; description: string }>;
  default: { sync_mode: string; replication_key?: string };
};

const needsKey = (mode: string) => mode.startsWith('incremental');
// A database's own catalog (PostgreSQL's information_schema and pg_catalog) is rarely what anyone syncs.
const isSystemTable = (stream: string) => /^(information_schema|pg_catalog)[-.]/.test(stream);

function Preview({ connectorId, stream }: { connectorId: string; stream: string }) {
  const [state, setState] = useState<{ rows?: Array<Record<string, unknown>>; error?: string; busy: boolean }>({ busy: false });
  const load = async () => {
    setState({ busy: true });
    try {
      const { run_id } = await api<{ run_id: string }>(`/connectors/${connectorId}/preview`, { method: 'POST', body: JSON.stringify({ stream, limit: 10 }) });
      const run = await waitForRun(run_id, () => undefined, new AbortController().signal);
      if (run.status !== 'succeeded') return setState({ busy: false, error: `${run.error ?? 'The preview did not finish.'} Try again, or go back and test the connection.` });
      setState({ busy: false, rows: (run.result as { records?: Array<Record<string, unknown>> }).records ?? [] });
    } catch (e) {
      setState({ busy: false, error: (e as Error).message });
    }
  };
  const columns = state.rows ? [...new Set(state.rows.flatMap((r) => Object.keys(r)))] : [];
  return (
    <div className="mt-2">
      <button type="button" className={secondaryButton} onClick={() => void load()} disabled={state.busy} aria-label={`Preview ${stream}`}>
        {state.busy ? 'Loading a preview…' : 'Preview'}
      </button>
      <div aria-live="polite">
        {state.error && <p className="mt-2 text-red-800">{state.error}</p>}
        {state.rows && state.rows.length === 0 && <p className="mt-2">This table is empty.</p>}
      </div>
      {state.rows && state.rows.length > 0 && (
        <div className="mt-2 max-h-64 overflow-auto rounded border border-slate-300" tabIndex={0} role="region" aria-label={`First rows of ${stream}`}>
          <table className="min-w-full text-sm">
            <caption className="sr-only">First {state.rows.length} rows of {stream}</caption>
            <thead className="bg-slate-100">
              <tr>{columns.map((c) => <th key={c} scope="col" className="px-2 py-1 text-left font-semibold">{c}</th>)}</tr>
            </thead>
            <tbody>
              {state.rows.map((row, i) => (
                <tr key={i} className="border-t border-slate-200">
                  {columns.map((c) => <td key={c} className="whitespace-nowrap px-2 py-1">{row[c] === null || row[c] === undefined ? <span className="text-slate-700">empty</span> : typeof row[c] === 'object' ? JSON.stringify(row[c]) : String(row[c])}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export function ChooseData({ onBack, onNext }: { onBack: () => void; onNext: () => void }) {
  const draft = useDraft();
  const [words, setWords] = useState('');
  const [showSystem, setShowSystem] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const offered = useQuery({
    queryKey: ['streams', draft.connectorId],
    queryFn: () => api<{ data: Offered[] }>(`/connectors/${draft.connectorId}/streams`).then((r) => r.data),
    enabled: draft.connectorId !== null,
  });
  // New streams start with the sync mode the server suggests, not selected.
  useEffect(() => {
    if (!offered.data) return;
    const missing = offered.data.filter((s) => !draft.streams[s.stream]);
    if (missing.length === 0) return;
    updateDraft((d) => ({ streams: { ...d.streams, ...Object.fromEntries(missing.map((s) => [s.stream, { selected: offered.data.length === 1, sync_mode: s.default.sync_mode, replication_key: s.default.replication_key }])) } }));
  }, [offered.data, draft.streams]);

  const choose = (stream: string, change: Partial<StreamChoice>) => updateDraft((d) => ({ streams: { ...d.streams, [stream]: { ...d.streams[stream]!, ...change } } }));
  const listed = (offered.data ?? []).filter((s) => showSystem || !isSystemTable(s.stream));
  const shown = listed.filter((s) => s.stream.toLowerCase().includes(words.trim().toLowerCase()));
  const systemCount = (offered.data ?? []).length - (offered.data ?? []).filter((s) => !isSystemTable(s.stream)).length;
  const selectedCount = Object.values(draft.streams).filter((s) => s.selected).length;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (selectedCount === 0) return setError('Pick at least one table to sync.');
    const missingKey = Object.entries(draft.streams).find(([name, s]) => s.selected && needsKey(s.sync_mode) && !s.replication_key && offered.data?.find((o) => o.stream === name)?.replication_keys.length);
    if (missingKey) return setError(`Choose which column tells new rows apart for ${missingKey[0]}.`);
    setError(null);
    onNext();
  };

  if (offered.error) return <p role="alert" className="text-red-800">The list of tables could not be loaded: {offered.error.message}</p>;
  if (!offered.data) return <p>Loading what can be synced…</p>;
  return (
    <form onSubmit={submit}>
      <div className="mb-3 flex flex-wrap items-end gap-3">
        <div className="min-w-60 flex-1">
          <label htmlFor="stream-search" className="mb-1 block text-sm font-medium">Search tables</label>
          <input id="stream-search" type="search" className={textField} value={words} onChange={(e) => setWords(e.target.value)} />
        </div>
        <button type="button" className={secondaryButton} onClick={() => updateDraft((d) => ({ streams: Object.fromEntries(Object.entries(d.streams).map(([k, v]) => [k, { ...v, selected: shown.some((s) => s.stream === k) || v.selected }])) }))}>
          Select all
        </button>
        <button type="button" className={secondaryButton} onClick={() => updateDraft((d) => ({ streams: Object.fromEntries(Object.entries(d.streams).map(([k, v]) => [k, { ...v, selected: false }])) }))}>
          Select none
        </button>
      </div>
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
        <p aria-live="polite" className="text-sm text-slate-800">{selectedCount} of {listed.length} tables selected</p>
        {systemCount > 0 && (
          <label className="flex items-center gap-2 text-sm text-slate-800">
            <input type="checkbox" className="h-4 w-4" checked={showSystem} onChange={(e) => setShowSystem(e.target.checked)} />
            Show the database's own system tables ({systemCount})
          </label>
        )}
      </div>
      <ul className="space-y-3">
        {shown.map((s) => {
          const choice = draft.streams[s.stream];
          if (!choice) return null;
          const id = `stream-${s.stream.replace(/[^A-Za-z0-9_-]/g, '_')}`;
          const mode = s.sync_modes.find((m) => m.sync_mode === choice.sync_mode);
          return (
            <li key={s.stream} className="rounded border border-slate-300 p-3" data-testid="stream-choice">
              <div className="flex items-center gap-2">
                <input id={id} type="checkbox" className="h-5 w-5" checked={choice.selected} onChange={(e) => choose(s.stream, { selected: e.target.checked })} />
                <label htmlFor={id} className="font-medium">{s.stream}</label>
                <span className="text-sm text-slate-700">({Object.keys(s.properties).length} columns)</span>
              </div>
              {choice.selected && (
                <div className="ml-7 mt-2 grid gap-3 sm:grid-cols-2">
                  <div>
                    <label htmlFor={`${id}-mode`} className="mb-1 block text-sm font-medium">How to sync</label>
                    <select id={`${id}-mode`} className={textField} value={choice.sync_mode} aria-describedby={`${id}-mode-help`} onChange={(e) => choose(s.stream, { sync_mode: e.target.value, replication_key: needsKey(e.target.value) ? (choice.replication_key ?? s.replication_keys[0]) : undefined })}>
                      {s.sync_modes.map((m) => <option key={m.sync_mode} value={m.sync_mode}>{m.label}</option>)}
                    </select>
                    <p id={`${id}-mode-help`} className="mt-1 text-sm text-slate-700">{mode?.description}</p>
                  </div>
                  {needsKey(choice.sync_mode) && s.replication_keys.length > 0 && (
                    <div>
                      <label htmlFor={`${id}-key`} className="mb-1 block text-sm font-medium">Column that tells new rows apart</label>
                      <select id={`${id}-key`} className={textField} value={choice.replication_key ?? ''} onChange={(e) => choose(s.stream, { replication_key: e.target.value })}>
                        {s.replication_keys.map((k) => <option key={k} value={k}>{k}</option>)}
                      </select>
                    </div>
                  )}
                  <div className="sm:col-span-2">{draft.connectorId && <Preview connectorId={draft.connectorId} stream={s.stream} />}</div>
                </div>
              )}
            </li>
          );
        })}
      </ul>
      {error && <p role="alert" className="mt-3 text-red-800">{error}</p>}
      <StepButtons onBack={onBack} />
    </form>
  );
}
