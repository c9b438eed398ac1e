CREATE TABLE "deployments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"model_name" text NOT NULL,
	"provider_id" text NOT NULL,
	"upstream_model" text NOT NULL,
	"weight" double precision DEFAULT 1 NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"timeout_ms" integer,
	"context_length" integer,
	"max_output_tokens" integer,
	"pricing" jsonb,
	"source" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "providers" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"base_url" text,
	"source" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "deployments_name_provider_model_unique" ON "deployments" USING btree ("model_name","provider_id","upstream_model");--> statement-breakpoint
CREATE INDEX "deployments_provider_idx" ON "deployments" USING btree ("provider_id");