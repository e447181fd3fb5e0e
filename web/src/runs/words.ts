/**
 * Everything this page says about a run, in plain words for people who never ran a data
 * tool: no tool names, no jargon. Kept apart so the wording is reviewed (and tested) in one place.
 */
import type { RunKind, RunStatus, RunView } from './types.js';

export const statusLabel: Record<RunStatus, string> = {
  queued: 'Waiting to start',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** One sentence under the badge: what the status means for the user. */
export const statusMeaning: Record<RunStatus, string> = {
  queued: 'It starts as soon as a worker is free.',
  running: 'It is working now. This page updates by itself.',
  succeeded: 'Everything finished without errors.',
  failed: 'It stopped because of a problem. See below what happened and what to check.',
  cancelled: 'It was stopped before it finished.',
};

/** Tailwind classes per status: colour backs up the text, never replaces it (contrast AA on white). */
export const statusClasses: Record<RunStatus, string> = {
  queued: 'bg-slate-100 text-slate-900 border-slate-400',
  running: 'bg-blue-100 text-blue-900 border-blue-400',
  succeeded: 'bg-green-100 text-green-900 border-green-500',
  failed: 'bg-red-100 text-red-900 border-red-500',
  cancelled: 'bg-amber-100 text-amber-900 border-amber-500',
};

const kindLabel: Record<RunKind, string> = {
  sync: 'Sync',
  test: 'Connection test',
  discover: 'Finding tables',
};

/** What ran, as a heading: "Sync", "Full reload", "Preview of orders", … */
export function whatRan(run: Pick<RunView, 'kind' | 'params'>): string {
  if (run.kind === 'sync' && run.params.full_refresh) return 'Full reload';
  if (run.kind === 'discover' && run.params.preview) return `Preview of ${run.params.preview.stream}`;
  return kindLabel[run.kind];
}

/** A line under the heading saying what the run does, so the kind needs no explaining. */
export function whatItDoes(run: Pick<RunView, 'kind' | 'params'>): string {
  if (run.kind === 'sync') return run.params.full_refresh ? 'Copies all the data again from the start, then replaces the tables.' : 'Copies new and changed data from the source into the warehouse.';
  if (run.kind === 'test') return 'Checks that Sluice can reach the source and sign in with its settings.';
  return run.params.preview ? 'Reads a few rows to show what the data looks like.' : 'Looks up which tables the source has, so you can choose what to copy.';
}

export const triggerLabel: Record<RunView['trigger'], string> = {
  manual: 'Started by hand',
  schedule: 'Started by its schedule',
  retry: 'Started again automatically after a temporary problem',
};

/** What a cancel stops, said before the user confirms it. */
export function cancelConsequence(run: Pick<RunView, 'kind' | 'status'>): string {
  if (run.status === 'queued') return 'It has not started yet: it is taken off the waiting list and nothing is read or copied.';
  if (run.kind === 'sync') return 'Sluice stops reading and loading within a few seconds. Rows already copied stay in the warehouse, and the next sync carries on from the last point this one saved.';
  return 'Sluice stops it within a few seconds. Nothing is changed.';
}

/** A plugin name (as the log carries it) said as the side it works on; other names are left out. */
export function sideOf(plugin: string | undefined): string | undefined {
  if (!plugin) return undefined;
  if (/^tap[-_]/i.test(plugin)) return 'source';
  if (/^target[-_]/i.test(plugin)) return 'destination';
  return undefined;
}

/** A setting's key ("client_secret") as a label ("Client secret"). */
export const settingLabel = (key: string) => {
  const words = key.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** After this many losses in a row, the status line stops sounding like a blip. */
const LONG_OUTAGE = 3;

/** The log's connection in a sentence, for the status line (announced politely to screen readers). */
export function logStatusText(log: { connection: string; failures: number; notice: string | undefined; end: { status: string } | undefined }): string {
  if (log.end) {
    const final = statusLabel[log.end.status as RunStatus] as string | undefined;
    return final ? `Finished: ${final.toLowerCase()}. The log is complete.` : 'Finished. The log is complete.';
  }
  const said = log.notice ? ` ${log.notice}` : '';
  if (log.connection === 'reconnecting') {
    return log.failures > LONG_OUTAGE
      ? `Connection lost — still trying to reconnect. Check your network; the log continues where it stopped.${said}`
      : `Connection lost — reconnecting…${said}`;
  }
  if (log.connection === 'live') return `Live: new lines appear as they happen.${said}`;
  return 'Connecting to the live log…';
}

export const levelLabel = { info: 'Info', warning: 'Warning', error: 'Error' } as const;
