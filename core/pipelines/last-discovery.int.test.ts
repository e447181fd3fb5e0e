import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../db/client.js';
import { connectors, plugins, runs, type RunStatus } from '../../db/schema/index.js';
import { testDatabaseUrl } from '../../e2e/test-env.js';
import * as tenants from '../tenants/service.js';
import { lastCatalog, storeDiscovery } from './last-discovery.js';

// What a sync reads to decide whether it may start from the stored discovery
// (discovery-reuse.ts): the catalog, the connector's and plugin's last change, the last run.
describe('lastCatalog', () => {
  const { db, close } = createDb(testDatabaseUrl(), { max: 2 });
  let tenantId = '';
  let connectorId = '';
  let otherId = '';
  const catalog = { streams: [{ tap_stream_id: 'public-orders' }] };
  beforeAll(async () => {
    tenantId = (await tenants.createTenant(db, `disc-${randomBytes(3).toString('hex')}`)).id;
    const add = async (name: string) => (await db.insert(connectors).values({ tenantId, name, pluginName: 'tap-postgres', config: {} }).returning())[0]!.id;
    connectorId = await add('src');
    otherId = await add('other');
  });
  afterAll(() => close());

  /** A finished run, queued `secondsAgo`. */
  const ran = (connector: string, status: RunStatus, secondsAgo: number) =>
    db.insert(runs).values({ tenantId, connectorId: connector, kind: 'sync', trigger: 'manual', status, queuedAt: new Date(Date.now() - secondsAgo * 1000), finishedAt: new Date() });

  it('is undefined for a connector never discovered', async () => {
    expect(await lastCatalog(db, connectorId)).toBeUndefined();
  });

  it("reads the stored catalog with when it was made and when the connector and its plugin last changed", async () => {
    await storeDiscovery(db, { connectorId, tenantId, catalog, streams: [] });
    const [connector] = await db.select({ at: connectors.updatedAt }).from(connectors).where(eq(connectors.id, connectorId));
    const [plugin] = await db.select({ at: plugins.updatedAt }).from(plugins).where(eq(plugins.name, 'tap-postgres'));
    const found = await lastCatalog(db, connectorId);
    expect(found).toEqual({ catalog, discoveredAt: expect.any(Date), connectorChangedAt: connector!.at, pluginChangedAt: plugin!.at, lastRunFailed: false });
    expect(found!.discoveredAt > connector!.at).toBe(true);
  });

  it("says whether the connector's latest run (by queue time) that succeeded or failed failed; cancelled runs and other connectors' runs do not count", async () => {
    await ran(connectorId, 'failed', 30);
    expect((await lastCatalog(db, connectorId))?.lastRunFailed).toBe(true);
    await ran(connectorId, 'cancelled', 10);
    await ran(otherId, 'succeeded', 5);
    expect((await lastCatalog(db, connectorId))?.lastRunFailed).toBe(true);
    await ran(connectorId, 'succeeded', 40);
    expect((await lastCatalog(db, connectorId))?.lastRunFailed).toBe(true);
    await ran(connectorId, 'succeeded', 1);
    expect((await lastCatalog(db, connectorId))?.lastRunFailed).toBe(false);
  });
});
