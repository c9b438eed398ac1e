CREATE TABLE "budget_leases" (
	"scope" text NOT NULL,
	"scope_id" text NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"instance_id" text NOT NULL,
	"amount_micro" bigint NOT NULL,
	"reserved_micro" bigint DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "budget_leases_scope_scope_id_period_start_instance_id_pk" PRIMARY KEY("scope","scope_id","period_start","instance_id")
);
--> statement-breakpoint
ALTER TABLE "budget_spend" ADD COLUMN "leased_micro" bigint DEFAULT 0 NOT NULL;