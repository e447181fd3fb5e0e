/**
 * The audit log in plain words: what each action means, who did it, which thing it was
 * about, and what changed. No tool names and no internal words: plugin names such as
 * `tap-postgres` are shown by their catalog label.
 */
import type { AuditEvent } from './types.js';

/** Every action Sluice records today, in the words the log shows (and the filter offers). */
export const actionLabels: Record<string, string> = {
  'connector.create': 'Added a connection',
  'connector.update': 'Changed a connection',
  'connector.delete': 'Deleted a connection',
  'connector.test': 'Tested a connection',
  'connector.discover': "Looked up a connection's tables",
  'pipeline.create': 'Created a pipeline',
  'pipeline.update': 'Changed a pipeline',
  'pipeline.delete': 'Deleted a pipeline',
  'pipeline.run': 'Started a pipeline run',
  'pipeline.run_skipped': 'Skipped a run because the previous one was still going',
  'pipeline.state_rollback': "Moved a pipeline's saved progress back to an earlier point",
  'pipeline.state_edit': "Edited a pipeline's saved progress",
  'pipeline.state_reset': "Reset a pipeline's saved progress, so the next run copies everything again",
  'run.cancel': 'Cancelled a run',
  'token.create': 'Created an API token',
  'token.revoke': 'Revoked an API token',
  'member.add': 'Added a member',
  'member.remove': 'Removed a member',
  'invitation.create': 'Invited someone',
  'invitation.revoke': 'Withdrew an invitation',
  'invitation.accept': 'Accepted an invitation',
  'session.switch': 'Switched into this workspace from another',
};

export const resourceTypeLabels: Record<string, string> = {
  connector: 'Connection',
  pipeline: 'Pipeline',
  run: 'Run',
  token: 'API token',
  member: 'Member',
  invitation: 'Invitation',
};

/** The filter's choices: value for the API, label for people. */
export const actionChoices = Object.entries(actionLabels).map(([value, label]) => ({ value, label }));
export const resourceTypeChoices = Object.entries(resourceTypeLabels).map(([value, label]) => ({ value, label: `${label}s` }));

/** "connector_x" → "Connector x": a readable fallback for a word Sluice has no label for yet. */
export const humanize = (word: string) => {
  const spaced = word.replace(/[._]+/g, ' ').trim();
  return spaced === '' ? word : spaced[0]!.toUpperCase() + spaced.slice(1);
};

export function actionLabel(action: string): string {
  const known = actionLabels[action];
  if (known) return known;
  const [type = '', ...rest] = action.split('.');
  return `${resourceTypeLabel(type)}: ${humanize(rest.join(' ')).toLowerCase() || 'changed'}`;
}

export const resourceTypeLabel = (type: string) => resourceTypeLabels[type] ?? humanize(type);

const systemLabels: Record<string, string> = {
  schedule: 'The schedule (automatic)',
  'sluice cli': 'Sluice command line',
  'npm run up': 'Sluice setup',
};

/** Who did it: the person's email, an API token by name, or Sluice itself. */
export function whoLabel(actor: AuditEvent['actor']): string {
  if (actor.type === 'token') {
    const name = /^token "(.*)"$/s.exec(actor.label)?.[1] ?? actor.label;
    return `API token “${name}”`;
  }
  if (actor.type === 'system') return systemLabels[actor.label] ?? `Sluice (${actor.label})`;
  return actor.label;
}

/** Names Sluice knows for ids (connections, pipelines, members, tokens), to say which thing an event was about. */
export type NameBook = ReadonlyMap<string, string>;

/** Which thing: its name from the event itself (a name, an email), else from what Sluice knows now, else a short id. */
export function resourceName(event: Pick<AuditEvent, 'resource' | 'changes'>, names: NameBook = new Map()): string {
  const { changes } = event;
  const named = (value: unknown): string | undefined => {
    if (typeof value === 'string' && value.trim() !== '') return value;
    if (isChange(value)) return named(value.to) ?? named(value.from);
    return undefined;
  };
  const fromEvent = named(changes.name) ?? named(changes.email);
  if (fromEvent) return fromEvent;
  const id = event.resource.id;
  if (id === null) return '—';
  return names.get(id) ?? `ID ${id.length > 8 ? `${id.slice(0, 8)}…` : id}`;
}

type Change = { from: unknown; to: unknown };
/** `{ from, to }` and nothing else: how the API records an edited field. */
export const isChange = (value: unknown): value is Change =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && 'from' in value && 'to' in value && Object.keys(value).length === 2;
const isSecret = (value: unknown): value is { secret: 'set' | 'replaced' | 'cleared' } =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && ['set', 'replaced', 'cleared'].includes((value as { secret?: unknown }).secret as string);
const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const fieldLabels: Record<string, string> = {
  name: 'Name',
  plugin: 'Kind of connection',
  config: 'Settings',
  email: 'Email',
  role: 'Role',
  expires_at: 'Expires',
  replaces: 'Replaces invitation',
  invitation: 'Invitation',
  account: 'Account',
  run_id: 'Run',
  busy_run_id: 'Run still going',
  trigger: 'Started by',
  params: 'Options',
  full_refresh: 'Copy everything again',
  source_connector_id: 'Source connection',
  destination_connector_id: 'Destination connection',
  destination_database: 'Warehouse database',
  streams: 'Tables',
  untyped_numbers: 'Numbers without a declared type',
  schedule: 'Schedule',
  cron: 'Timing',
  timezone: 'Time zone',
  enabled: 'Switched on',
  state: 'Saved progress',
  to_state_id: 'Saved progress point',
  to_run_id: 'From run',
  password: 'Password',
};

/** "config.host" → "Settings › Host". */
export const fieldLabel = (path: string) =>
  path
    .split('.')
    .map((part) => fieldLabels[part] ?? humanize(part))
    .join(' › ');

/** A plugin's name (`tap-postgres`, `target-clickhouse`) → what people call it. */
export type PluginLabels = ReadonlyMap<string, string>;
const PLUGIN_NAME = /\b(tap|target)-([a-z0-9][a-z0-9_-]*)/gi;

export function pluginLabel(name: string, labels: PluginLabels = new Map()): string {
  const known = labels.get(name);
  if (known) return known;
  const match = /^(tap|target)-(.+)$/i.exec(name);
  if (!match) return name;
  return `${humanize(match[2]!.replace(/-/g, ' '))} ${match[1]!.toLowerCase() === 'tap' ? 'source' : 'destination'}`;
}

const triggerLabels: Record<string, string> = { manual: 'By hand', schedule: 'The schedule', retry: 'An automatic retry' };
const roleLabels: Record<string, string> = { owner: 'Owner', admin: 'Admin', viewer: 'Viewer' };
const accountLabels: Record<string, string> = { created: 'New account', existing: 'Existing account' };
const secretLabels = { set: ['(none)', 'Set (hidden)'], replaced: ['(hidden)', 'Replaced (hidden)'], cleared: ['(hidden)', '(none)'] } as const;

/** One value as text: yes/no, lists, plugin names by their label; objects compactly. */
export function formatValue(value: unknown, labels: PluginLabels = new Map(), key = ''): string {
  if (value === null || value === undefined || value === '') return '(none)';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') {
    if (key === 'trigger' && triggerLabels[value]) return triggerLabels[value];
    if (key === 'role' && roleLabels[value]) return roleLabels[value];
    if (key === 'account' && accountLabels[value]) return accountLabels[value];
    if (key === 'expires_at' && !Number.isNaN(Date.parse(value))) return new Date(value).toLocaleString();
    return value.replace(PLUGIN_NAME, (name) => pluginLabel(name.toLowerCase(), labels));
  }
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.map((v) => formatValue(v, labels)).join(', ');
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return '(none)';
    return entries.map(([k, v]) => `${fieldLabel(k)}: ${formatValue(v, labels, k)}`).join('; ');
  }
  return String(value);
}

export type ChangeRow = { field: string; before: string; after: string };
export type ChangeTable = { kind: 'before-after'; rows: ChangeRow[] } | { kind: 'details'; rows: Array<{ field: string; value: string }> };

// Verbs whose recorded fields are what the thing became, and those whose fields are what it was.
const CREATES = /\.(create|add|accept)$/;
const REMOVES = /\.(delete|remove|revoke)$/;

/**
 * The event's `changes` as rows: edited fields before → after; created things with nothing
 * before; deleted ones with nothing after; anything else (a run started, a test) as details.
 * Nested settings are flattened to one row per field ("Settings › Host").
 */
export function describeChanges(action: string, changes: Record<string, unknown>, labels: PluginLabels = new Map()): ChangeTable {
  const flat: Array<[string, unknown]> = [];
  const walk = (value: Record<string, unknown>, prefix: string) => {
    for (const [key, v] of Object.entries(value)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (isPlainObject(v) && !isChange(v) && !isSecret(v) && Object.keys(v).length > 0) walk(v, path);
      else flat.push([path, v]);
    }
  };
  walk(changes, '');
  const lastKey = (path: string) => path.split('.').at(-1) ?? path;
  const edited = flat.some(([, v]) => isChange(v) || (isSecret(v) && !CREATES.test(action)));
  if (edited || CREATES.test(action) || REMOVES.test(action)) {
    const removing = REMOVES.test(action) && !edited;
    const rows = flat.map(([path, v]): ChangeRow => {
      const key = lastKey(path);
      if (isChange(v)) return { field: fieldLabel(path), before: formatValue(v.from, labels, key), after: formatValue(v.to, labels, key) };
      if (isSecret(v)) {
        const [before, after] = secretLabels[v.secret];
        return { field: fieldLabel(path), before, after };
      }
      const shown = formatValue(v, labels, key);
      return removing ? { field: fieldLabel(path), before: shown, after: '(none)' } : { field: fieldLabel(path), before: edited ? shown : '(none)', after: shown };
    });
    return { kind: 'before-after', rows };
  }
  return { kind: 'details', rows: flat.map(([path, v]) => ({ field: fieldLabel(path), value: formatValue(v, labels, lastKey(path)) })) };
}
