import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api } from '../../api.js';
import { followRunLog } from '../../runs/log-follow.js';
import { INSTALL_LABEL, installingFromLog, STAGES, stagesFromLog, type Stage } from '../test-stages.js';
import { secondaryButton } from '../../ui/styles.js';
import { updateDraft, useDraft } from '../draft.js';
import { waitForRun, type RunView } from '../run-result.js';
import { StepButtons } from '../StepButtons.js';


export function TestConnection({ onBack, onNext }: { onBack: () => void; onNext: () => void }) {
  const draft = useDraft();
  const [run, setRun] = useState<RunView | null>(null);
  const [live, setLive] = useState<Stage[]>([]);
  const [installing, setInstalling] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const result = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!draft.connectorId) return;
    const controller = new AbortController();
    let stopLog = () => undefined as void;
    setRun(null);
    setLive([]);
    setInstalling(false);
    setError(null);
    updateDraft({ testedOk: false });
    api<{ run_id: string }>(`/connectors/${draft.connectorId}/test`, { method: 'POST', signal: controller.signal })
      .then(({ run_id }) => {
        // Each stage ticks as the worker reports it; the run's result confirms them at the end.
        stopLog = followRunLog(run_id, {
          onChange: (state) => {
            setLive(stagesFromLog(state));
            setInstalling(installingFromLog(state));
          },
        });
        return waitForRun(run_id, setRun, controller.signal);
      })
      .then((finished) => {
        const stages = (finished.result as { stages?: Stage[] } | null | undefined)?.stages ?? [];
        // The settings page highlights and focuses the first setting a failed stage names.
        updateDraft({ testedOk: finished.status === 'succeeded', focusSetting: stages.find((s) => !s.ok)?.settings?.[0] ?? null });
        result.current?.focus();
      })
      .catch((e: Error) => {
        if (!controller.signal.aborted) setError(`${e.message} Try again in a moment.`);
      });
    return () => {
      controller.abort();
      stopLog();
    };
  }, [draft.connectorId, attempt]);

  const final = (run?.result as { stages?: Stage[] } | null | undefined)?.stages;
  const stages = final ?? live;
  const failed = stages.find((s) => !s.ok);
  const done = run && (run.status === 'succeeded' || run.status === 'failed' || run.status === 'cancelled');
  // The install stage shows only on a machine that installs the connector for this test.
  const installStage = stages.find((s) => s.stage === 'install');
  const rows: ReadonlyArray<readonly [string, string]> = installStage || installing
    ? [STAGES[0], STAGES[1], ['install', installStage?.label ?? INSTALL_LABEL], ...STAGES.slice(2)]
    : STAGES;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (draft.testedOk) onNext();
  };
  return (
    <form onSubmit={submit}>
      <p className="mb-3 text-slate-800">Sluice checks the connection one step at a time.</p>
      <ol className="space-y-2" aria-label="Connection test">
        {rows.map(([name, label]) => {
          const stage = stages.find((s) => s.stage === name);
          const state = stage ? (stage.ok ? 'passed' : 'failed') : done ? 'skipped' : 'checking';
          return (
            <li key={name} data-testid={`stage-${name}`} data-state={state} className="flex gap-2">
              <span aria-hidden="true" className={`w-5 font-bold ${state === 'passed' ? 'text-green-800' : state === 'failed' ? 'text-red-800' : 'text-slate-700'}`}>
                {state === 'passed' ? '✓' : state === 'failed' ? '✕' : state === 'skipped' ? '–' : '…'}
              </span>
              <span>
                <span className="font-medium">{label}</span>
                <span className="text-slate-700"> — {state === 'passed' ? 'passed' : state === 'failed' ? 'failed' : state === 'skipped' ? 'not reached' : 'checking…'}</span>
                {stage && !stage.ok && stage.message && <span className="block text-red-800">{stage.message}</span>}
              </span>
            </li>
          );
        })}
      </ol>
      <div ref={result} tabIndex={-1} role="status" className="mt-4 outline-none">
        {error && <p className="text-red-800">{error}</p>}
        {done && draft.testedOk && <p className="font-medium text-green-900">The connection works. Choose what to sync next.</p>}
        {done && !draft.testedOk && (
          <p className="text-red-800">
            {failed?.message ?? run?.error ?? 'The test did not pass.'} {failed?.settings?.length ? 'Go back, fix the highlighted setting, and test again.' : 'Fix the settings or the server, then test again.'}
          </p>
        )}
      </div>
      {done && !draft.testedOk && (
        <div className="mt-3 flex gap-3">
          <button type="button" className={secondaryButton} onClick={onBack}>
            Fix the settings
          </button>
          <button type="button" className={secondaryButton} onClick={() => setAttempt((n) => n + 1)}>
            Test again
          </button>
        </div>
      )}
      <StepButtons onBack={onBack} disabled={!draft.testedOk} />
    </form>
  );
}
