-- Older installs could hold two active syncs of one pipeline: keep the newest.
UPDATE "runs" SET "status" = 'cancelled', "finished_at" = now(), "error_summary" = 'Cancelled by an upgrade: another run of this pipeline was active.'
WHERE "kind" = 'sync' AND "status" IN ('queued', 'running') AND "pipeline_id" IS NOT NULL
  AND "id" NOT IN (SELECT DISTINCT ON ("pipeline_id") "id" FROM "runs" WHERE "kind" = 'sync' AND "status" IN ('queued', 'running') AND "pipeline_id" IS NOT NULL ORDER BY "pipeline_id", "queued_at" DESC);--> statement-breakpoint
CREATE UNIQUE INDEX "runs_one_active_sync" ON "runs" USING btree ("pipeline_id") WHERE kind = 'sync' and status in ('queued', 'running');
