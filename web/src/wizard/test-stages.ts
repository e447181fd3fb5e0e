import type { LogFollowState } from '../runs/log-follow.js';

/** A connection test's stage as the worker reports it (jobs/test-connection.ts). */
export type Stage = { stage: string; label: string; ok: boolean; seconds: number; message?: string; settings?: string[] };

export const STAGES = [
  ['settings', 'Checking the settings'],
  ['network', 'Reaching the server'],
  ['discovery', 'Listing what can be synced'],
  ['first_record', 'Reading a first record'],
] as const;

/** The stages finished so far, read from the test's live log (the worker writes "<stage label>: ok" or the reason). */
export function stagesFromLog(state: Pick<LogFollowState, 'entries'>): Stage[] {
  const done: Stage[] = [];
  for (const { event } of state.entries) {
    if (event.type !== 'log') continue;
    for (const [stage, label] of STAGES) {
      if (!event.message.startsWith(`${label}: `)) continue;
      const rest = event.message.slice(label.length + 2);
      done.push({ stage, label, ok: rest === 'ok', seconds: 0, ...(rest === 'ok' ? {} : { message: rest }) });
    }
  }
  return done;
}
