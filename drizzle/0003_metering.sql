CREATE TABLE "budget_spend" (
	"scope" text NOT NULL,
	"scope_id" text NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"spent_micro" bigint DEFAULT 0 NOT NULL,
	"reserved_micro" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "budget_spend_scope_scope_id_period_start_pk" PRIMARY KEY("scope","scope_id","period_start")
);
--> statement-breakpoint
CREATE TABLE "budgets" (
	"scope" text NOT NULL,
	"scope_id" text NOT NULL,
	"amount_micro" bigint NOT NULL,
	"period" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "budgets_scope_scope_id_pk" PRIMARY KEY("scope","scope_id")
);
--> statement-breakpoint
CREATE TABLE "usage_daily" (
	"day" date NOT NULL,
	"key_id" text,
	"team_id" uuid,
	"user_id" uuid,
	"end_user" text,
	"model" text NOT NULL,
	"provider_id" text,
	"requests" bigint NOT NULL,
	"failed_requests" bigint NOT NULL,
	"input_tokens" bigint NOT NULL,
	"output_tokens" bigint NOT NULL,
	"cached_input_tokens" bigint NOT NULL,
	"cache_write_tokens" bigint NOT NULL,
	"reasoning_tokens" bigint NOT NULL,
	"cost_micro" bigint NOT NULL,
	CONSTRAINT "usage_daily_group_unique" UNIQUE NULLS NOT DISTINCT("day","key_id","team_id","user_id","end_user","model","provider_id")
);
--> statement-breakpoint
CREATE TABLE "usage_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"key_id" text,
	"team_id" uuid,
	"user_id" uuid,
	"end_user" text,
	"requested_model" text NOT NULL,
	"model" text,
	"deployment_id" text,
	"provider_id" text,
	"upstream_model" text,
	"input_tokens" integer NOT NULL,
	"output_tokens" integer NOT NULL,
	"cached_input_tokens" integer NOT NULL,
	"cache_write_tokens" integer NOT NULL,
	"reasoning_tokens" integer NOT NULL,
	"cost_micro" bigint NOT NULL,
	"latency_ms" integer NOT NULL,
	"time_to_first_token_ms" integer,
	"status" text NOT NULL,
	"error_code" text,
	"attempts" jsonb NOT NULL,
	"streamed" boolean NOT NULL,
	"cancelled_by_client" boolean NOT NULL,
	"request_id" text
);
--> statement-breakpoint
CREATE INDEX "usage_daily_key_day_idx" ON "usage_daily" USING btree ("key_id","day");--> statement-breakpoint
CREATE INDEX "usage_events_created_at_idx" ON "usage_events" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "usage_events_key_id_idx" ON "usage_events" USING btree ("key_id","id");