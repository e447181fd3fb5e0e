import { describe, expect, it } from 'vitest';
import type { RunDir, PluginFolder } from '../meltano/run-dir.js';
import { catalogForSync } from './sync-catalog.js';

// The path that starts no process; discovering (every other tap, or no discovery stored) is
// covered end to end in e2e/live-schema.test.ts.
describe('catalogForSync', () => {
  const catalog = { streams: [{ tap_stream_id: 'public-orders', schema: { properties: { id: { type: 'integer' } } } }] };
  const discoveredAt = new Date('2026-12-01T10:00:00Z');
  const plugin = { name: 'tap-sluice-postgres', kind: 'extractor' as const, executable: 'nothing-runs', settings: [], capabilities: ['catalog', 'discover', 'live-schema'] };

  it('starts a live-schema tap from the last discovery, and says so in the log', async () => {
    const lines: string[] = [];
    const found = await catalogForSync({} as RunDir, {} as PluginFolder, { plugin, config: {}, onLine: (l) => void lines.push(l), timeoutMs: 1000, lastDiscovery: async () => ({ catalog, discoveredAt }) });
    expect(found).toEqual({ result: { exitCode: 0, timedOut: false, cancelled: false, signal: undefined }, catalog });
    expect(lines).toEqual([expect.stringMatching(/^Starting from the source's last discovery \(2026-12-01T10:00:00\.000Z\): this source checks each table/)]);
  });
});
