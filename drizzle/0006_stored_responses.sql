CREATE TABLE "stored_responses" (
	"id" text PRIMARY KEY NOT NULL,
	"owner" text NOT NULL,
	"previous_response_id" text,
	"input" jsonb NOT NULL,
	"response" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "stored_responses_expires_at_idx" ON "stored_responses" USING btree ("expires_at");