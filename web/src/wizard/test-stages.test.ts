import { describe, expect, it } from 'vitest';
import { stagesFromLog } from './test-stages.js';

const line = (id: string, message: string, level = 'info') => ({ id, event: { type: 'log', level, message, at: '2026-12-02T00:00:00Z' } });

describe('stagesFromLog', () => {
  it('ticks each stage the worker reported, in order, with the reason of a failed one', () => {
    const entries = [
      line('1-0', 'Checking the settings: ok'),
      line('2-0', 'something else the source printed'),
      line('3-0', 'Reaching the server: ok'),
      line('4-0', 'Listing what can be synced: The server rejected the credentials for user "x". Check the user name and password (or token).', 'error'),
    ];
    expect(stagesFromLog({ entries } as never)).toEqual([
      { stage: 'settings', label: 'Checking the settings', ok: true, seconds: 0 },
      { stage: 'network', label: 'Reaching the server', ok: true, seconds: 0 },
      { stage: 'discovery', label: 'Listing what can be synced', ok: false, seconds: 0, message: 'The server rejected the credentials for user "x". Check the user name and password (or token).' },
    ]);
  });

  it('ignores lines that only mention a stage', () => {
    expect(stagesFromLog({ entries: [line('1-0', 'Note: Reaching the server: ok')] } as never)).toEqual([]);
  });
});
