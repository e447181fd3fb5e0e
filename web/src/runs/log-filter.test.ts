import { describe, expect, it } from 'vitest';
import { filterLines, levelGroup, splitMatches, type LevelGroup } from './log-filter.js';
import type { LogEntry } from './types.js';

const at = '2024-05-01T10:00:00.000Z';
const line = (id: string, level: string, message: string): LogEntry => ({ id, event: { type: 'log', level, message, at } });
const entries: LogEntry[] = [
  line('1-0', 'debug', 'Connecting to db.example.com'),
  line('2-0', 'info', 'Reading table orders'),
  { id: '2-1', event: { type: 'progress', stream: 'orders', records: 1, at } },
  line('3-0', 'warning', '2 values could not be stored exactly'),
  line('4-0', 'error', 'Connection to DB.example.com refused'),
];
const all = new Set<LevelGroup>(['info', 'warning', 'error']);

describe('log filter', () => {
  it('groups levels into information, warnings and errors', () => {
    expect(['debug', 'info', 'WARN', 'warning', 'error', 'critical', 'odd'].map(levelGroup)).toEqual(['info', 'info', 'warning', 'warning', 'error', 'error', 'info']);
  });

  it('shows only lines (never progress) of the chosen groups that contain the search, any case', () => {
    expect(filterLines(entries, all, '').map((l) => l.id)).toEqual(['1-0', '2-0', '3-0', '4-0']);
    expect(filterLines(entries, new Set<LevelGroup>(['warning', 'error']), '').map((l) => l.id)).toEqual(['3-0', '4-0']);
    expect(filterLines(entries, all, '  db.EXAMPLE ').map((l) => l.id)).toEqual(['1-0', '4-0']);
  });

  it('cuts a line around every match for highlighting', () => {
    expect(splitMatches('Refused: db and DB', 'db')).toEqual([
      { text: 'Refused: ', match: false },
      { text: 'db', match: true },
      { text: ' and ', match: false },
      { text: 'DB', match: true },
    ]);
    expect(splitMatches('nothing here', '')).toEqual([{ text: 'nothing here', match: false }]);
  });
});
