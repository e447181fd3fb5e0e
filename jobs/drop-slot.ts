import { and, eq } from 'drizzle-orm';
import { UnrecoverableError } from 'bullmq';
import { checkConnectorAccess, connectorPolicyFrom } from '../core/connectors/access-policy.js';
import * as connectors from '../core/connectors/service.js';
import * as catalog from '../core/plugins/service.js';
import type { SlotDropJob } from '../core/runs/queues.js';
import { connectors as connectorsTable, pipelines } from '../db/schema/index.js';
import { replicationSlotName } from '../meltano/log-based.js';
import { dropSlot } from '../meltano/log-based-slot.js';
import { LOG_BASED_PLUGIN, sourceConnectionOf } from '../meltano/log-based-source.js';
import { pluginConfig } from '../meltano/plugin-config.js';
import type { WorkerDeps } from './deps.js';
import { logBasedStreams } from './log-based-sync.js';

/**
 * Drops a pipeline's replication slot on its PostgreSQL source (pipeline deleted, or no stream
 * of it reads the change log any more). As for a sync, the connection goes only to the address
 * the connector's network policy approves, with the connector's own login. A pipeline that
 * reads that source's change log again by now keeps its slot. Throws to be retried (source
 * away); gives up (UnrecoverableError) where retrying cannot help.
 */
export async function dropPipelineSlot(deps: Pick<WorkerDeps, 'db' | 'keyring' | 'env' | 'log'>, job: SlotDropJob): Promise<'dropped' | 'absent' | 'in use'> {
  const log = deps.log.child({ pipeline_id: job.pipeline_id, connector_id: job.connector_id });
  const pipeline = await deps.db.query.pipelines.findFirst({ where: eq(pipelines.id, job.pipeline_id) });
  if (pipeline && pipeline.sourceConnectorId === job.connector_id && logBasedStreams(pipeline.streams).length > 0) return 'in use';
  const connector = await deps.db.query.connectors.findFirst({ where: and(eq(connectorsTable.tenantId, job.tenant_id), eq(connectorsTable.id, job.connector_id)) });
  const slot = replicationSlotName(job.pipeline_id);
  if (!connector) throw new UnrecoverableError(`the source connector is gone: replication slot ${slot} may be left on its database`);
  const plugin = await catalog.getPlugin(deps.db, connector.pluginName);
  if (plugin?.name !== LOG_BASED_PLUGIN) return 'absent';
  const tenant = await deps.db.query.tenants.findFirst({ where: (t, { eq: is }) => is(t.id, job.tenant_id) });
  if (!tenant) throw new UnrecoverableError(`tenant ${job.tenant_id} is gone: replication slot ${slot} may be left on the source`);
  const { config } = connectors.loadConnectorForRun(deps.keyring, connector);
  const access = await checkConnectorAccess(connectorPolicyFrom(deps.env), config, plugin.configSchema, tenant.slug);
  if (!access.ok) {
    if (access.transient) throw new Error(`the source's address could not be checked yet: ${access.message}`);
    throw new UnrecoverableError(`the connector may not reach its source any more, so replication slot ${slot} stays there: ${access.message}`);
  }
  const source = sourceConnectionOf(pluginConfig(plugin.settings, access.config));
  if (!source) throw new UnrecoverableError(`the connector names no database server: replication slot ${slot} may be left on its source`);
  const dropped = await dropSlot(source, slot);
  log.info({ slot, dropped }, dropped ? "dropped the pipeline's replication slot on its source" : 'the pipeline had no replication slot on its source');
  return dropped ? 'dropped' : 'absent';
}
