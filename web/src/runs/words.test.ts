import { describe, expect, it } from 'vitest';
import { formatDuration } from './format.js';
import { cancelConsequence, logStatusText, settingLabel, sideOf, statusLabel, statusMeaning, triggerLabel, whatItDoes, whatRan } from './words.js';

/** The page is for people who never ran a data tool: the tools' names stay out of what it says. */
const JARGON = /singer|meltano|\btap\b|\btarget\b/i;

describe('words', () => {
  it('never names the tools underneath', () => {
    const kinds = [
      { kind: 'sync', params: {} },
      { kind: 'sync', params: { full_refresh: true } },
      { kind: 'test', params: {} },
      { kind: 'discover', params: {} },
      { kind: 'discover', params: { preview: { stream: 'orders', limit: 10 } } },
    ] as const;
    const said = [
      ...Object.values(statusLabel),
      ...Object.values(statusMeaning),
      ...Object.values(triggerLabel),
      ...kinds.flatMap((k) => [whatRan(k), whatItDoes(k)]),
      ...(['queued', 'running'] as const).flatMap((status) => (['sync', 'test', 'discover'] as const).map((kind) => cancelConsequence({ kind, status }))),
      ...['connecting', 'live', 'reconnecting'].flatMap((connection) => [0, 9].map((failures) => logStatusText({ connection, failures, notice: undefined, end: undefined }))),
      logStatusText({ connection: 'ended', failures: 0, notice: undefined, end: { status: 'failed' } }),
    ];
    for (const sentence of said) expect(sentence).not.toMatch(JARGON);
  });

  it('says which side a log line came from instead of the plugin name', () => {
    expect([sideOf('tap-postgres'), sideOf('target-clickhouse'), sideOf('meltano'), sideOf(undefined)]).toEqual(['source', 'destination', undefined, undefined]);
  });

  it('words the connection as the status line shows it', () => {
    expect(logStatusText({ connection: 'reconnecting', failures: 1, notice: undefined, end: undefined })).toBe('Connection lost — reconnecting…');
    expect(logStatusText({ connection: 'live', failures: 0, notice: undefined, end: { status: 'succeeded' } })).toBe('Finished: succeeded. The log is complete.');
  });

  it('formats settings and durations for reading', () => {
    expect(settingLabel('client_secret')).toBe('Client secret');
    expect([45, 185, 3600, 7500].map(formatDuration)).toEqual(['45 s', '3 min 5 s', '1 h', '2 h 5 min']);
  });
});
