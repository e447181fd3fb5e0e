import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { StoredDiscovery } from '../core/pipelines/discovery-reuse.js';
import type { Catalog } from '../meltano/catalog-selection.js';
import type { RunDir, PluginFolder } from '../meltano/run-dir.js';
import { catalogForSync, type SyncDiscoveries } from './sync-catalog.js';

// The tap's own discovery is a process (covered end to end in e2e/live-schema.test.ts); here
// it stands in, so each rule is seen from what the sync does: start from the stored
// discovery, or discover (and keep what it found).
const discoverIn = vi.hoisted(() => vi.fn());
vi.mock('./discover.js', () => ({ discoverIn }));

const OK = { exitCode: 0, timedOut: false, cancelled: false, signal: undefined };
const now = new Date('2026-12-01T12:00:00Z');
const minutesAgo = (n: number) => new Date(now.getTime() - n * 60_000);
const stored = { streams: [{ tap_stream_id: 'public-orders', schema: { properties: { id: { type: 'integer' } } } }] };
const fresh = { streams: [{ tap_stream_id: 'public-orders', schema: { properties: { id: { type: 'integer' }, note: { type: 'string' } } } }] };
const pypiTap = { name: 'tap-postgres', kind: 'extractor' as const, executable: 'nothing-runs', settings: [], capabilities: ['catalog', 'discover', 'state'] };
const liveSchemaTap = { ...pypiTap, name: 'tap-sluice-postgres', capabilities: ['catalog', 'discover', 'live-schema'] };

/** Discovered 12 minutes ago, after the connector's and the plugin's last change, the last run succeeded. */
const last = (changes: Partial<StoredDiscovery> = {}): StoredDiscovery => ({
  catalog: stored,
  discoveredAt: minutesAgo(12),
  connectorChangedAt: minutesAgo(60 * 24),
  pluginChangedAt: minutesAgo(60 * 48),
  lastRunFailed: false,
  ...changes,
});

async function sync(plugin: typeof pypiTap, found: StoredDiscovery | undefined, maxAgeSeconds = 3600) {
  discoverIn.mockClear();
  const lines: string[] = [];
  const saved: Catalog[] = [];
  const discoveries: SyncDiscoveries = { last: async () => found, save: async (c) => void saved.push(c), maxAgeSeconds, now: () => now };
  const result = await catalogForSync({} as RunDir, {} as PluginFolder, { plugin, config: {}, onLine: (l) => void lines.push(l), timeoutMs: 1000, discoveries });
  return { ...result, lines, saved, discovered: discoverIn.mock.calls.length > 0 };
}

describe('catalogForSync', () => {
  beforeEach(() => {
    discoverIn.mockReset();
    discoverIn.mockResolvedValue({ result: OK, catalog: fresh });
  });

  it('starts any tap from a discovery younger than the setting, and says how old it is', async () => {
    const found = await sync(pypiTap, last());
    expect(found).toMatchObject({ result: OK, catalog: stored, discovered: false, saved: [] });
    expect(found.lines).toEqual(["Using the source's tables as found 12 minutes ago (they are checked again at most once an hour)."]);
  });

  it('discovers again once the discovery is as old as the setting, and keeps the new one for the next syncs', async () => {
    const found = await sync(pypiTap, last({ discoveredAt: minutesAgo(125) }));
    expect(found).toMatchObject({ catalog: fresh, discovered: true, saved: [fresh] });
    expect(found.lines).toEqual(["Looking at the source's tables first, because they were last looked at 2 hours ago (they are checked again at most once an hour)…"]);
    expect((await sync(pypiTap, last({ discoveredAt: minutesAgo(60) }))).discovered).toBe(true);
    expect((await sync(pypiTap, last({ discoveredAt: minutesAgo(30) }), 1800)).lines[0]).toMatch(/once every 30 minutes\)…$/);
  });

  it('discovers again when the connection was changed after the discovery, a live-schema tap too', async () => {
    for (const plugin of [pypiTap, liveSchemaTap]) {
      const found = await sync(plugin, last({ connectorChangedAt: minutesAgo(5) }));
      expect(found).toMatchObject({ catalog: fresh, discovered: true, saved: [fresh] });
      expect(found.lines).toEqual(["Looking at the source's tables first, because the connection was edited or tested since they were last looked at…"]);
    }
  });

  it('discovers again when the plugin was installed or upgraded after the discovery', async () => {
    const found = await sync(pypiTap, last({ pluginChangedAt: minutesAgo(1) }));
    expect(found).toMatchObject({ catalog: fresh, discovered: true });
    expect(found.lines).toEqual(["Looking at the source's tables first, because the source's connector software was installed or updated since they were last looked at…"]);
  });

  it("discovers again when the connector's last finished run failed (a live-schema tap says itself what changed)", async () => {
    const found = await sync(pypiTap, last({ lastRunFailed: true }));
    expect(found).toMatchObject({ catalog: fresh, discovered: true });
    expect(found.lines).toEqual(["Looking at the source's tables first, because the last run of this connection failed…"]);
    expect(await sync(liveSchemaTap, last({ lastRunFailed: true }))).toMatchObject({ catalog: stored, discovered: false });
  });

  it('discovers before every sync when the setting is 0, except a live-schema tap', async () => {
    const found = await sync(pypiTap, last({ discoveredAt: new Date(now.getTime() - 1000) }), 0);
    expect(found).toMatchObject({ catalog: fresh, discovered: true });
    expect(found.lines).toEqual(["Looking at the source's tables first, because this is set to happen before every sync…"]);
    expect(await sync(liveSchemaTap, last(), 0)).toMatchObject({ catalog: stored, discovered: false });
  });

  it('starts a live-schema tap from its last discovery however old, and says why it is not looked at again', async () => {
    const found = await sync(liveSchemaTap, last({ discoveredAt: minutesAgo(60 * 24 * 3), connectorChangedAt: minutesAgo(60 * 24 * 9), pluginChangedAt: minutesAgo(60 * 24 * 9) }));
    expect(found).toMatchObject({ result: OK, catalog: stored, discovered: false, saved: [] });
    expect(found.lines).toEqual(["Using the source's tables as found 3 days ago: this source checks each table as it reads it, so they are not looked at again first."]);
  });

  it('discovers a connector never discovered; a failed discovery is not kept', async () => {
    discoverIn.mockResolvedValue({ result: { ...OK, exitCode: 1 } });
    const found = await sync(liveSchemaTap, undefined);
    expect(found).toMatchObject({ result: { exitCode: 1 }, discovered: true, saved: [] });
    expect(found.catalog).toBeUndefined();
    expect(found.lines).toEqual(["Looking at the source's tables first, because this connection's tables have not been looked at yet…"]);
  });
});
