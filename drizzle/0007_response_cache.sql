CREATE TABLE "response_cache_entries" (
	"key" text PRIMARY KEY NOT NULL,
	"team_id" text,
	"key_id" text,
	"model" text NOT NULL,
	"kind" text NOT NULL,
	"body" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "usage_daily" ADD COLUMN "cache_hits" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_events" ADD COLUMN "cache_hit" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "response_cache_entries_expires_at_idx" ON "response_cache_entries" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "response_cache_entries_created_at_idx" ON "response_cache_entries" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "response_cache_entries_team_model_idx" ON "response_cache_entries" USING btree ("team_id","model");--> statement-breakpoint
CREATE INDEX "response_cache_entries_key_id_idx" ON "response_cache_entries" USING btree ("key_id");