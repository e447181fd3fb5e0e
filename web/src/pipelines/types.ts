/**
 * The API's shapes these pages read, taken from the server's own code as types only (erased at
 * build time, nothing server-side reaches the bundle): when the API changes, `tsc` says so here.
 */
import type { presentPipeline } from '../../../core/pipelines/service.js';
import type { presentState } from '../../../core/pipelines/state.js';
import type { DiscoveredStream, SelectedStream, SyncMode } from '../../../db/schema/index.js';
import type { RunView } from '../runs/types.js';

/** GET /api/v1/pipelines/:id (and each item of GET /pipelines). */
export type PipelineView = ReturnType<typeof presentPipeline>;
/** One entry of GET /api/v1/pipelines/:id/state. */
export type StateEntry = ReturnType<typeof presentState>;
export type StateHistoryPage = { current: StateEntry | null; data: StateEntry[]; next_cursor: string | null };
/** What one table of the source offers (GET /connectors/:id/streams). */
export type StreamOffer = DiscoveredStream;
export type StreamOffers = { discovered_at: string; data: StreamOffer[] };
export type { RunView, SelectedStream, SyncMode };
export type Schedule = NonNullable<PipelineView['schedule']>;

/** A table as PATCH /pipelines/:id takes it (`server/pipelines/routes.ts`, streamSchema). */
export type StreamInput = {
  stream: string;
  sync_mode: SyncMode;
  replication_method?: 'LOG_BASED';
  replication_key?: string;
};

/** What `api()` throws: the message is the server's, `detail` its code and field errors. */
export { failureOf, type ApiFailure } from '../api.js';
