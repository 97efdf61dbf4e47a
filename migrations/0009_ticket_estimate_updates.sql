-- Each wait range a citizen was shown after issue, one row per ticket and range (issue #17 item 3): the
-- estimate's accuracy at later updates is reported beside the one given at issue. No personal data.
CREATE TABLE "ticket_estimate_updates" (
	"ticket_id" uuid NOT NULL REFERENCES "tickets"("id"),
	"site_id" uuid NOT NULL,
	"shown_at" timestamp with time zone NOT NULL,
	"eta_min" integer NOT NULL,
	"low_min" integer NOT NULL,
	"high_min" integer NOT NULL,
	PRIMARY KEY ("ticket_id", "eta_min", "low_min", "high_min")
);
--> statement-breakpoint
CREATE INDEX "ticket_estimate_updates_site_shown_idx" ON "ticket_estimate_updates" ("site_id", "shown_at");
