CREATE TABLE "usage_dead_letters" (
	"record_id" text PRIMARY KEY NOT NULL,
	"record" text NOT NULL,
	"error_code" text,
	"error_message" text NOT NULL,
	"failed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "usage_dead_letters_failed_at_idx" ON "usage_dead_letters" USING btree ("failed_at");