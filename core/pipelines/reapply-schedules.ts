import type { Db } from '../../db/client.js';
import { listSchedules, removeSchedule, upsertSchedule, type RunQueues } from '../runs/queues.js';
import { allWantedSchedules } from './service.js';

/**
 * Makes the pipelines' BullMQ job schedulers match the pipelines table, which is the truth:
 * a scheduler that is missing (Redis lost its data, or was away when the pipeline changed)
 * or differs is upserted; one whose pipeline is gone, disabled or unscheduled is removed.
 * Schedulers that already match are left alone, so their next run is not disturbed.
 *
 * @example
 * const { applied, removed } = await reapplySchedules(db, queues);
 */
export async function reapplySchedules(db: Db, queues: RunQueues): Promise<{ applied: string[]; removed: string[] }> {
  const wanted = await allWantedSchedules(db);
  const present = await listSchedules(queues);
  const applied: string[] = [];
  const removed: string[] = [];
  for (const [pipelineId, schedule] of wanted) {
    if (!schedule) continue;
    const current = present.get(pipelineId);
    if (current?.cron === schedule.cron && current.timezone === schedule.timezone) continue;
    await upsertSchedule(queues, pipelineId, schedule);
    applied.push(pipelineId);
  }
  for (const pipelineId of present.keys()) {
    if (wanted.get(pipelineId)) continue;
    await removeSchedule(queues, pipelineId);
    removed.push(pipelineId);
  }
  return { applied, removed };
}
