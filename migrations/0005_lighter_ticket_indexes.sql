DROP INDEX "tickets_site_day_idx";--> statement-breakpoint
DROP INDEX "tickets_window_idx";--> statement-breakpoint
DROP INDEX "tickets_appointment_idx";--> statement-breakpoint
CREATE INDEX "tickets_window_idx" ON "tickets" USING btree ("window_id") WHERE window_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "tickets_appointment_idx" ON "tickets" USING btree ("appointment_id") WHERE appointment_id IS NOT NULL;