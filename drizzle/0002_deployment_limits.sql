ALTER TABLE "deployments" ADD COLUMN "rpm_limit" integer;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "tpm_limit" integer;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "tags" jsonb;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "region" text;