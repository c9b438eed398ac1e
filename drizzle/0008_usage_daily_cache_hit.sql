ALTER TABLE "usage_daily" DROP CONSTRAINT "usage_daily_group_unique";--> statement-breakpoint
ALTER TABLE "usage_daily" ADD COLUMN "cache_hit" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_daily" ADD CONSTRAINT "usage_daily_group_unique" UNIQUE NULLS NOT DISTINCT("day","key_id","team_id","user_id","end_user","model","provider_id","cache_hit");