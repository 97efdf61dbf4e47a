CREATE TABLE "ticket_sla_warnings" (
	"ticket_id" uuid PRIMARY KEY NOT NULL,
	"site_id" uuid NOT NULL,
	"warned_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ticket_sla_warnings" ADD CONSTRAINT "ticket_sla_warnings_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;