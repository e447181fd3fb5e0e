ALTER TABLE "pipelines" ADD COLUMN "untyped_numbers" text DEFAULT 'float' NOT NULL;--> statement-breakpoint
-- Each stored stream gets the sync mode that matches how it was loaded before sync modes
-- existed: FULL_TABLE -> full_refresh_overwrite (its key, if any, dropped); INCREMENTAL ->
-- incremental_deduped when the source's last discovery gave the stream key properties,
-- otherwise incremental_append (what the loader did by itself). Streams that have a
-- sync_mode already are left as they are, so running this again changes nothing.
UPDATE "pipelines" AS p SET "streams" = (
  SELECT coalesce(jsonb_agg(
    CASE
      WHEN jsonb_typeof(s) <> 'object' OR s ? 'sync_mode' THEN s
      WHEN coalesce(s->>'replication_method', 'FULL_TABLE') = 'FULL_TABLE'
        THEN (s - 'replication_key') || '{"sync_mode": "full_refresh_overwrite", "replication_method": "FULL_TABLE"}'::jsonb
      ELSE s || jsonb_build_object('sync_mode', CASE WHEN EXISTS (
        SELECT 1 FROM "connector_catalogs" AS c, jsonb_array_elements(c."streams") AS d
        WHERE c."connector_id" = p."source_connector_id" AND jsonb_typeof(d) = 'object' AND d->>'stream' = s->>'stream'
          AND jsonb_typeof(d->'key_properties') = 'array' AND jsonb_array_length(d->'key_properties') > 0
      ) THEN 'incremental_deduped' ELSE 'incremental_append' END)
    END ORDER BY e.i), '[]'::jsonb)
  FROM jsonb_array_elements(p."streams") WITH ORDINALITY AS e(s, i)
)
WHERE jsonb_typeof(p."streams") = 'array'
  AND EXISTS (SELECT 1 FROM jsonb_array_elements(p."streams") AS x WHERE jsonb_typeof(x) = 'object' AND NOT x ? 'sync_mode');
