import { describe, expect, it } from 'vitest';
import { installingFromLog, stagesFromLog } from './test-stages.js';

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

  it('shows the install stage of a connector this machine installs first, while it runs and when it ends', () => {
    const started = [line('1-0', 'Checking the settings: ok'), line('2-0', 'Reaching the server: ok'), line('3-0', 'Installing the Orders file connector (tap-jsonl) on this machine, its first use here: tap-jsonl==0.3.1.')];
    expect(installingFromLog({ entries: started } as never)).toBe(true);
    expect(installingFromLog({ entries: started.slice(0, 2) } as never)).toBe(false);
    const failed = [...started, line('4-0', 'Installing the Orders file connector (first use on this machine): Could not install the Orders file connector (tap-jsonl): no package named "tap-jsonl" version 9.9 exists on PyPI.', 'error')];
    expect(stagesFromLog({ entries: failed } as never).at(-1)).toEqual({
      stage: 'install', label: 'Installing the Orders file connector (first use on this machine)', ok: false, seconds: 0,
      message: 'Could not install the Orders file connector (tap-jsonl): no package named "tap-jsonl" version 9.9 exists on PyPI.',
    });
  });
});
