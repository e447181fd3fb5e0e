ALTER TABLE "plugins" ALTER COLUMN "settings" SET DATA TYPE json;--> statement-breakpoint
ALTER TABLE "plugins" ALTER COLUMN "config_schema" SET DATA TYPE json;