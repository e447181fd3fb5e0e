ALTER TABLE "plugins" ADD COLUMN "logo_url" text;--> statement-breakpoint
ALTER TABLE "plugins" ADD COLUMN "docs_url" text;