-- The new partial indexes are built before the old ones go: building takes a SHARE lock (reads go on,
-- writes wait), while a DROP INDEX takes an exclusive lock that the migration's transaction then holds
-- to its end, so the drops come last and hold it for a moment only. A very large tickets table is best
-- given these indexes beforehand with CREATE INDEX CONCURRENTLY under the same names (then IF NOT EXISTS
-- skips them here).
CREATE INDEX IF NOT EXISTS "tickets_window_set_idx" ON "tickets" USING btree ("window_id") WHERE window_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "tickets_appointment_set_idx" ON "tickets" USING btree ("appointment_id") WHERE appointment_id IS NOT NULL;--> statement-breakpoint
DROP INDEX IF EXISTS "tickets_site_day_idx";--> statement-breakpoint
DROP INDEX IF EXISTS "tickets_window_idx";--> statement-breakpoint
DROP INDEX IF EXISTS "tickets_appointment_idx";
