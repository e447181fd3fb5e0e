import { settingLabel } from './words.js';
import type { RunView } from './types.js';

/** The settings a failure points at: the worker works them out (meltano/failure-reasons.ts), only those the connection has. */
export function settingsToCheck(run: RunView): string[] {
  return run.failure?.settings ?? [];
}

/** Why a run failed, in the worker's plain sentence, and what to look at before trying again. */
export function FailureReason({ message, settings }: { message: string | null; settings: readonly string[] }) {
  return (
    <section aria-labelledby="failure-title" data-testid="failure-reason" className="rounded-lg border border-red-400 bg-red-50 p-4 text-red-950">
      <h2 id="failure-title" className="text-lg font-semibold">
        What went wrong
      </h2>
      <p className="mt-1" data-testid="failure-message">
        {message ?? 'The run stopped with an error, without saying why. The log below shows its last lines.'}
      </p>
      {settings.length > 0 && (
        <div className="mt-3">
          <h3 className="font-medium">Settings to check</h3>
          <ul className="mt-1 flex flex-wrap gap-2" data-testid="failure-settings">
            {settings.map((s) => (
              <li key={s} className="rounded border border-red-300 bg-white px-2 py-0.5 text-sm">
                {settingLabel(s)}
              </li>
            ))}
          </ul>
        </div>
      )}
      <p className="mt-3 text-sm">When you have fixed it, run it again. The log below shows exactly what happened.</p>
    </section>
  );
}
