import type { LogFollowState } from '../runs/log-follow.js';

/** A connection test's stage as the worker reports it (jobs/test-connection.ts). */
export type Stage = { stage: string; label: string; ok: boolean; seconds: number; message?: string; settings?: string[] };

export const STAGES = [
  ['settings', 'Checking the settings'],
  ['network', 'Reaching the server'],
  ['discovery', 'Listing what can be synced'],
  ['first_record', 'Reading a first record'],
] as const;

/**
 * A connection whose connector this machine has not installed yet gets one more stage before
 * discovery (jobs/plugin-ready.ts installStageLabel); its label names the connector.
 */
const INSTALL_STAGE = /^(Installing the .+ connector \(first use on this machine\)): (.*)$/s;
/** The install's own first lines (meltano/plugin-install.ts), before its stage ends. */
const INSTALL_STARTED = /^(Installing .+ on this machine|Waiting for another run that is installing )/;
export const INSTALL_LABEL = 'Installing the connector (first use on this machine)';

/** Whether the test's live log shows a connector being installed (the wizard then shows that stage as it runs). */
export const installingFromLog = (state: Pick<LogFollowState, 'entries'>) =>
  state.entries.some(({ event }) => event.type === 'log' && (INSTALL_STARTED.test(event.message) || INSTALL_STAGE.test(event.message)));

/** The stages finished so far, read from the test's live log (the worker writes "<stage label>: ok" or the reason). */
export function stagesFromLog(state: Pick<LogFollowState, 'entries'>): Stage[] {
  const done: Stage[] = [];
  for (const { event } of state.entries) {
    if (event.type !== 'log') continue;
    const install = INSTALL_STAGE.exec(event.message);
    if (install) {
      done.push({ stage: 'install', label: install[1]!, ok: install[2] === 'ok', seconds: 0, ...(install[2] === 'ok' ? {} : { message: install[2]! }) });
      continue;
    }
    for (const [stage, label] of STAGES) {
      if (!event.message.startsWith(`${label}: `)) continue;
      const rest = event.message.slice(label.length + 2);
      done.push({ stage, label, ok: rest === 'ok', seconds: 0, ...(rest === 'ok' ? {} : { message: rest }) });
    }
  }
  return done;
}
