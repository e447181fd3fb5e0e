import { describe, expect, it } from 'vitest';
import { actionChoices, actionLabel, describeChanges, fieldLabel, formatValue, pluginLabel, resourceName, resourceTypeLabel, whoLabel } from './audit-words.js';

const FORBIDDEN_WORDS = /singer|meltano|\btap\b|\btarget\b|tap-|target-/i;
const labels = new Map([['tap-postgres', 'PostgreSQL'], ['target-clickhouse', 'ClickHouse']]);

describe('what happened', () => {
  it('says every known action in words, without tool names', () => {
    expect(actionLabel('connector.create')).toBe('Added a connection');
    expect(actionLabel('pipeline.state_reset')).toMatch(/Reset a pipeline's saved progress/);
    for (const { value, label } of actionChoices) {
      expect(label).not.toMatch(FORBIDDEN_WORDS);
      expect(value).toMatch(/^[a-z]+\.[a-z_]+$/); // what GET /audit?action= accepts
    }
  });
  it('reads an action it does not know yet', () => {
    expect(actionLabel('connector.rename_all')).toBe('Connection: rename all');
    expect(actionLabel('widget.spin')).toBe('Widget: spin');
    expect(resourceTypeLabel('token')).toBe('API token');
    expect(resourceTypeLabel('some_thing')).toBe('Some thing');
  });
});

describe('who did it', () => {
  it('names people by email, tokens by name, and Sluice itself plainly', () => {
    expect(whoLabel({ type: 'user', id: 'u', label: 'ann@x.test' })).toBe('ann@x.test');
    expect(whoLabel({ type: 'token', id: 't', label: 'token "Nightly report"' })).toBe('API token “Nightly report”');
    expect(whoLabel({ type: 'system', id: null, label: 'schedule' })).toBe('The schedule (automatic)');
    expect(whoLabel({ type: 'system', id: null, label: 'something new' })).toBe('Sluice (something new)');
  });
});

describe('which thing', () => {
  it('uses the name or email the event recorded, then a known name, then a short id', () => {
    expect(resourceName({ resource: { type: 'connector', id: 'c1' }, changes: { name: 'Shop database' } })).toBe('Shop database');
    expect(resourceName({ resource: { type: 'pipeline', id: 'p1' }, changes: { name: { from: 'Old', to: 'New' } } })).toBe('New');
    expect(resourceName({ resource: { type: 'member', id: 'u1' }, changes: { email: 'bob@x.test', role: 'admin' } })).toBe('bob@x.test');
    expect(resourceName({ resource: { type: 'member', id: 'u1' }, changes: {} }, new Map([['u1', 'carol@x.test']]))).toBe('carol@x.test');
    expect(resourceName({ resource: { type: 'run', id: '0b8f2f5e-3c4d-4e5f-8a9b-0c1d2e3f4a5b' }, changes: {} })).toBe('ID 0b8f2f5e…');
    expect(resourceName({ resource: { type: 'run', id: null }, changes: {} })).toBe('—');
  });
});

describe('values and fields', () => {
  it('shows plugin names by their label, never as tool names', () => {
    expect(formatValue('tap-postgres', labels)).toBe('PostgreSQL');
    expect(formatValue('target-clickhouse', labels)).toBe('ClickHouse');
    expect(formatValue('tap-google-sheets')).toBe('Google sheets source');
    expect(pluginLabel('target-duckdb')).toBe('Duckdb destination');
    expect(formatValue('copied by tap-postgres into target-x', labels)).toBe('copied by PostgreSQL into X destination');
  });
  it('writes yes/no, lists, nothing, and nested settings readably', () => {
    expect(formatValue(true)).toBe('Yes');
    expect(formatValue(null)).toBe('(none)');
    expect(formatValue('')).toBe('(none)');
    expect(formatValue(['orders', 'customers'])).toBe('orders, customers');
    expect(formatValue({ cron: '0 2 * * *', timezone: 'UTC' })).toBe('Timing: 0 2 * * *; Time zone: UTC');
    expect(formatValue('manual', labels, 'trigger')).toBe('By hand');
    expect(formatValue('viewer', labels, 'role')).toBe('Viewer');
    expect(formatValue('created', labels, 'account')).toBe('New account');
  });
  it('labels fields, nested ones with their parent', () => {
    expect(fieldLabel('config.host')).toBe('Settings › Host');
    expect(fieldLabel('source_connector_id')).toBe('Source connection');
  });
});

describe('describeChanges (the details toggle)', () => {
  it('shows an edit before → after, secrets only as set/replaced', () => {
    const table = describeChanges('connector.update', { port: { from: 5432, to: 5433 }, password: { secret: 'replaced' } });
    expect(table).toEqual({
      kind: 'before-after',
      rows: [
        { field: 'Port', before: '5432', after: '5433' },
        { field: 'Password', before: '(hidden)', after: 'Replaced (hidden)' },
      ],
    });
  });
  it('shows a creation with nothing before, settings flattened, the plugin by its label', () => {
    const table = describeChanges('connector.create', { name: 'Shop', plugin: 'tap-postgres', config: { host: 'db', port: 5432 }, password: { secret: 'set' } }, labels);
    expect(table).toEqual({
      kind: 'before-after',
      rows: [
        { field: 'Name', before: '(none)', after: 'Shop' },
        { field: 'Kind of connection', before: '(none)', after: 'PostgreSQL' },
        { field: 'Settings › Host', before: '(none)', after: 'db' },
        { field: 'Settings › Port', before: '(none)', after: '5432' },
        { field: 'Password', before: '(none)', after: 'Set (hidden)' },
      ],
    });
    expect(JSON.stringify(table)).not.toMatch(FORBIDDEN_WORDS);
  });
  it('shows a removal with nothing after', () => {
    expect(describeChanges('token.revoke', { name: 'Nightly', role: 'admin' })).toEqual({
      kind: 'before-after',
      rows: [
        { field: 'Name', before: 'Nightly', after: '(none)' },
        { field: 'Role', before: 'Admin', after: '(none)' },
      ],
    });
    expect(describeChanges('member.remove', {})).toEqual({ kind: 'before-after', rows: [] });
  });
  it('shows a saved-progress edit field by field, with its context', () => {
    const table = describeChanges('pipeline.state_rollback', { to_state_id: 4, state: { bookmarks: { from: { a: 1 }, to: { a: 0 } } } });
    expect(table).toEqual({
      kind: 'before-after',
      rows: [
        { field: 'Saved progress point', before: '4', after: '4' },
        { field: 'Saved progress › Bookmarks', before: 'A: 1', after: 'A: 0' },
      ],
    });
  });
  it('lists the details of events that neither create, edit nor remove', () => {
    expect(describeChanges('pipeline.run', { run_id: 'r1', trigger: 'schedule', params: { full_refresh: true } })).toEqual({
      kind: 'details',
      rows: [
        { field: 'Run', value: 'r1' },
        { field: 'Started by', value: 'The schedule' },
        { field: 'Options › Copy everything again', value: 'Yes' },
      ],
    });
  });
});
