ALTER TABLE "api_keys" ADD COLUMN "cache_ttl_seconds" integer;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "cache_ttl_seconds" integer;