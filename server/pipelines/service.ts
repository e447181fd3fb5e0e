import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { pipelines, type SelectedStream } from '../../db/schema/index.js';
import * as connectors from '../connectors/service.js';
import { AppError, notFound } from '../errors.js';
import * as catalog from '../plugins/service.js';

export type Pipeline = typeof pipelines.$inferSelect;
export type CreatePipelineInput = {
  name: string;
  source_connector_id: string;
  destination_database?: string | undefined;
  streams: SelectedStream[];
};

/** Each tenant lands in its own ClickHouse database by default (DESIGN: one database per tenant destination). */
export const defaultDestinationDatabase = (tenantSlug: string) => `sluice_${tenantSlug.replace(/-/g, '_')}`;

export async function createPipeline(db: Db, tenant: { id: string; slug: string }, input: CreatePipelineInput) {
  const source = await connectors.getConnector(db, tenant.id, input.source_connector_id).catch((error: unknown) => {
    if (error instanceof AppError && error.code === 'not_found') {
      throw new AppError('validation_failed', 'The source connector was not found.', { source_connector_id: ['no such connector'] });
    }
    throw error;
  });
  const plugin = await catalog.getPlugin(db, source.pluginName);
  if (plugin?.kind !== 'extractor') {
    throw new AppError('validation_failed', `"${source.name}" is a destination, not a source.`, { source_connector_id: ['must be a source connector'] });
  }
  const [row] = await db
    .insert(pipelines)
    .values({
      tenantId: tenant.id,
      name: input.name,
      sourceConnectorId: source.id,
      destinationDatabase: input.destination_database ?? defaultDestinationDatabase(tenant.slug),
      streams: input.streams,
    })
    .onConflictDoNothing({ target: [pipelines.tenantId, pipelines.name] })
    .returning();
  if (!row) throw new AppError('conflict', `A pipeline named "${input.name}" already exists. Choose another name.`, { name: ['is already taken'] });
  return row;
}

export async function getPipeline(db: Db, tenantId: string, id: string) {
  const row = await db.query.pipelines.findFirst({ where: and(eq(pipelines.tenantId, tenantId), eq(pipelines.id, id)) });
  if (!row) throw notFound('Pipeline');
  return row;
}

export const listPipelines = (db: Db, tenantId: string) =>
  db.select().from(pipelines).where(eq(pipelines.tenantId, tenantId)).orderBy(desc(pipelines.createdAt), desc(pipelines.id));

export function presentPipeline(p: Pipeline) {
  return {
    id: p.id,
    name: p.name,
    source_connector_id: p.sourceConnectorId,
    destination: { type: 'platform_clickhouse', database: p.destinationDatabase },
    streams: p.streams,
    enabled: p.enabled,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
  };
}
