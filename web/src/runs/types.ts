/**
 * The shapes this page reads, taken from the server's own code as types only (erased at build
 * time, nothing server-side reaches the bundle): when the API changes, `tsc` says so here.
 */
import type { LogEvent } from '../../../core/runs/run-log.js';
import type { presentRun } from '../../../core/runs/service.js';

export type { LogEvent };
/** GET /api/v1/runs/:id, exactly as the server shapes it. */
export type RunView = ReturnType<typeof presentRun>;
export type RunStatus = RunView['status'];
export type RunKind = RunView['kind'];
export type StreamCheck = NonNullable<RunView['reconciliation']>[number];
export type LossyValues = NonNullable<StreamCheck['lossy']>[number];

export type LogLine = Extract<LogEvent, { type: 'log' }>;
export type ProgressEvent = Extract<LogEvent, { type: 'progress' }>;
export type EndEvent = Extract<LogEvent, { type: 'end' }>;

/** A log or progress event with the SSE id it came with (the Redis stream id, `<ms>-<seq>`). */
export type LogEntry = { id: string; event: LogLine | ProgressEvent };

export const isFinished = (status: RunStatus) => status === 'succeeded' || status === 'failed' || status === 'cancelled';
