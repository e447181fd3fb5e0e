import { describe, expect, it } from 'vitest';
import { explainFailure } from './failure-reasons.js';
import { parseLogLine } from './log-lines.js';

describe('parseLogLine', () => {
  it('reads Meltano JSON lines and the plugin level inside them', () => {
    const line = JSON.stringify({ event: 'ERROR Something broke', name: 'tap-x', level: 'info', producer: true });
    expect(parseLogLine(line)).toEqual({ level: 'error', message: 'ERROR Something broke', plugin: 'tap-x' });
    expect(parseLogLine(JSON.stringify({ event: 'Run completed', level: 'info', timestamp: '2026-01-01T00:00:00.1Z' }))).toEqual({ level: 'info', message: 'Run completed', sourceAt: '2026-01-01T00:00:00.1Z' });
  });

  it('reads record-count metrics from taps and targets, old and new spacing', () => {
    const sdk = JSON.stringify({ event: 'INFO METRIC: {"type":"counter","metric":"record_count","value":42,"tags":{"stream":"users"}}', name: 'tap-x', producer: true, consumer: false });
    expect(parseLogLine(sdk).metric).toEqual({ stream: 'users', records: 42, role: 'tap' });
    const old = JSON.stringify({ event: 'INFO METRIC: {"type": "counter", "metric": "record_count", "value": 7, "tags": {"endpoint": "Account"}}', name: 'tap-sf', consumer: false });
    expect(parseLogLine(old).metric).toEqual({ stream: 'Account', records: 7, role: 'tap' });
    const target = JSON.stringify({ event: 'METRIC: {"type":"counter","metric":"record_count","value":3,"tags":{"stream":"users"}}', name: 'target-clickhouse', consumer: true });
    expect(parseLogLine(target).metric?.role).toBe('target');
  });

  it("reads the loader's reconciliation", () => {
    const value = { stream: 'users', table: 'users', received: 3, inserted: 3, inTable: 3, distinctKeys: 3, ok: true };
    const line = JSON.stringify({ event: `METRIC: ${JSON.stringify({ type: 'summary', metric: 'reconciliation', value, tags: { stream: 'users' } })}`, name: 'target-clickhouse', consumer: true });
    expect(parseLogLine(line).reconciliation).toEqual(value);
  });

  it('keeps plain text lines and guesses their level', () => {
    expect(parseLogLine('WARNING disk almost full')).toEqual({ level: 'warning', message: 'WARNING disk almost full' });
    expect(parseLogLine('{not json')).toEqual({ level: 'info', message: '{not json' });
  });
});

describe('explainFailure', () => {
  it('explains common failures in plain words with the settings to check', () => {
    expect(explainFailure(['psycopg2.OperationalError: FATAL:  password authentication failed for user "bob"'])).toEqual({
      message: 'The server rejected the credentials for user "bob". Check the user name and password (or token).',
      settings: ['password', 'user', 'client_secret', 'refresh_token'],
      transient: false,
    });
    expect(explainFailure(['Exception: ... Failed to resolve \'login.salesforce.com\' ([Errno -2] Name or service not known)']).message).toBe(
      'Could not find the server login.salesforce.com: its name does not resolve. Check the host name, or whether this server can reach the internet.',
    );
    expect(explainFailure(['FATAL:  database "nope" does not exist']).message).toMatch(/The database "nope" does not exist/);
    expect(explainFailure(['FATAL:  role "bob" does not exist', '(Background on this error at: https://sqlalche.me/e/20/e3q8)']).message).toBe('The user "bob" does not exist on that server. Check the user name.');
  });

  it('falls back to the last error line without the traceback', () => {
    const lines = ['Traceback (most recent call last):', '  File "x.py", line 1, in <module>', 'ValueError: start_date must be set'];
    expect(explainFailure(lines).message).toBe('The connector stopped with an error: start_date must be set');
  });
});

describe('parseLogLine for plugins Sluice starts itself', () => {
  const tap = { plugin: 'tap-postgres', role: 'tap' as const };
  it('reads Singer SDK plain lines, their level and METRIC lines', () => {
    const line = '2026-01-01 00:00:00,250 | WARNING  | tap-postgres         | Slow query';
    // the stamp is the plugin's local time, which it shares with the worker
    expect(parseLogLine(line, tap)).toEqual({ level: 'warning', message: line, plugin: 'tap-postgres', sourceAt: new Date('2026-01-01T00:00:00.250').toISOString() });
    expect(parseLogLine('2026-13-45 99:00:00,000 | INFO | x', tap).sourceAt).toBeUndefined();
    const metric = '2026-01-01 00:00:00,000 | INFO     | singer_sdk.metrics   | METRIC: {"type": "counter", "metric": "record_count", "value": 100, "tags": {"stream": "public-users", "context": {}}}';
    expect(parseLogLine(metric, tap).metric).toEqual({ stream: 'public-users', records: 100, role: 'tap' });
  });
  it("reads the target's counts and reconciliation as the target's", () => {
    const target = { plugin: 'target-clickhouse', role: 'target' as const };
    expect(parseLogLine('METRIC: {"type":"counter","metric":"record_count","value":3,"tags":{"stream":"users"}}', target).metric).toEqual({ stream: 'users', records: 3, role: 'target' });
    const value = { stream: 'users', table: 'users', received: 3, inserted: 3, inTable: 3, ok: true };
    expect(parseLogLine(`METRIC: ${JSON.stringify({ type: 'summary', metric: 'reconciliation', value })}`, target).reconciliation).toEqual(value);
  });
  it("reads the target's load progress (rows committed so far, rows per second) from the target only", () => {
    const target = { plugin: 'target-clickhouse', role: 'target' as const };
    const line = 'METRIC: {"type":"summary","metric":"load_progress","value":{"stream":"public-orders","rows":120000,"rows_per_second":40123.5},"tags":{"stream":"public-orders"}}';
    expect(parseLogLine(line, target).loadProgress).toEqual({ stream: 'public-orders', rows: 120000, rowsPerSecond: 40123.5 });
    expect(parseLogLine(line, tap).loadProgress).toBeUndefined();
    expect(parseLogLine('METRIC: {"type":"summary","metric":"load_progress","value":{"stream":"s","rows":"many"}}', target).loadProgress).toBeUndefined();
    const meltano = JSON.stringify({ event: line, name: 'target-clickhouse', consumer: true });
    expect(parseLogLine(meltano).loadProgress).toEqual({ stream: 'public-orders', rows: 120000, rowsPerSecond: 40123.5 });
  });
  it("keeps the reconciliation's lossy values, only the well-formed ones", () => {
    const target = { plugin: 'target-clickhouse', role: 'target' as const };
    const value = {
      stream: 'public-events',
      table: 'public_events',
      received: 20,
      inserted: 20,
      inTable: 20,
      ok: true,
      lossy: [{ column: 'd', reason: 'date before 1970-01-01', count: 12, kept: true }, { column: 'at', reason: 'fraction of a second dropped', count: 3, kept: false }, { column: 'x', count: 'lots' }],
    };
    const line = `METRIC: ${JSON.stringify({ type: 'summary', metric: 'reconciliation', value, tags: { stream: 'public-events' } })}`;
    expect(parseLogLine(line, target).reconciliation?.lossy).toEqual(value.lossy.slice(0, 2));
    const { lossy: _lossy, ...plain } = value;
    expect(parseLogLine(`METRIC: ${JSON.stringify({ type: 'summary', metric: 'reconciliation', value: plain })}`, target).reconciliation).toEqual(plain);
  });
  it('takes a JSON line from a plugin as plain text, not as a Meltano line', () => {
    expect(parseLogLine('{"event":"x","name":"other"}', tap)).toEqual({ level: 'info', message: '{"event":"x","name":"other"}', plugin: 'tap-postgres' });
  });
});
