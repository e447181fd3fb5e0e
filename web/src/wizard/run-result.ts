import { api } from '../api.js';

/** A run as the wizard reads it: status, its error in plain words, and the job's result. */
export type RunView = { id: string; status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled'; error: string | null; result?: unknown; failure?: { reason?: string; settings?: string[] } | null };

const finished = (status: RunView['status']) => status === 'succeeded' || status === 'failed' || status === 'cancelled';

/** Polls a run until it ends (tests, previews: seconds), reporting each view. */
export async function waitForRun(runId: string, onView: (run: RunView) => void, signal: AbortSignal): Promise<RunView> {
  for (;;) {
    const run = await api<RunView>(`/runs/${runId}`, { signal });
    onView(run);
    if (finished(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, 700));
    if (signal.aborted) throw new Error('stopped');
  }
}
