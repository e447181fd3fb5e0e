import { useSyncExternalStore } from 'react';

/**
 * The add-integration draft: one module owns it, so closing the wizard keeps it and reopening
 * resumes it (a later issue turns it into a Yjs document shared across tabs). It is kept in
 * localStorage for reloads — except secrets, which live in this tab's memory only.
 */
export type StreamChoice = { selected: boolean; sync_mode: string; replication_key?: string | undefined };
export type SchedulePreset = 'manual' | 'hourly' | 'nightly' | 'weekly' | 'custom';
export type Draft = {
  step: number;
  plugin: string | null;
  name: string;
  config: Record<string, unknown>;
  connectorId: string | null;
  testedOk: boolean;
  /** The setting a failed test named: the settings step highlights and focuses it. */
  focusSetting: string | null;
  streams: Record<string, StreamChoice>;
  schedule: { preset: SchedulePreset; time: string; weekday: number; cron: string; timezone: string };
};

const KEY = 'sluice.wizard-draft';
const localZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
export const emptyDraft = (): Draft => ({
  step: 1,
  plugin: null,
  name: '',
  config: {},
  connectorId: null,
  testedOk: false,
  focusSetting: null,
  streams: {},
  schedule: { preset: 'nightly', time: '02:00', weekday: 1, cron: '0 2 * * *', timezone: localZone() },
});

let secrets: Record<string, unknown> = {};
let secretNames: string[] = [];
let current: Draft = load();
const listeners = new Set<() => void>();

function load(): Draft {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Draft | null;
    return stored && typeof stored === 'object' ? { ...emptyDraft(), ...stored } : emptyDraft();
  } catch {
    return emptyDraft();
  }
}

function save() {
  const config = Object.fromEntries(Object.entries(current.config).filter(([k]) => !secretNames.includes(k)));
  localStorage.setItem(KEY, JSON.stringify({ ...current, config }));
  for (const listener of listeners) listener();
}

/** The draft with its secrets, as the form needs it. */
export function getDraft(): Draft {
  return current;
}

export function updateDraft(change: Partial<Draft> | ((draft: Draft) => Partial<Draft>)) {
  const patch = typeof change === 'function' ? change(current) : change;
  current = { ...current, ...patch };
  if (patch.config) secrets = Object.fromEntries(secretNames.filter((k) => k in current.config).map((k) => [k, current.config[k]]));
  save();
}

/** Which settings are secret (from the chosen source's schema): they are never written to storage. */
export function setSecretNames(names: string[]) {
  secretNames = names;
  current = { ...current, config: { ...current.config, ...secrets } };
}

export function resetDraft() {
  secrets = {};
  current = emptyDraft();
  save();
}

export function useDraft(): Draft {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getDraft,
  );
}
