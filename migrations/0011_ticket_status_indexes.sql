-- Reads that grew with every ticket ever served (bench/RESULTS.md, soak of 2026-12-07): what a window is
-- busy with (the estimate's play, at every issue and call) walked all the window's served tickets; the
-- recent mean handling time and the suspension sweep walked the site's or the whole table. Partial on
-- statuses a ticket is never issued in, so the issue insert writes none of them.
CREATE INDEX "tickets_window_busy_idx" ON "tickets" ("window_id") WHERE status IN ('called', 'serving');
--> statement-breakpoint
CREATE INDEX "tickets_done_site_finished_idx" ON "tickets" ("site_id", "finished_at") WHERE status = 'done';
--> statement-breakpoint
CREATE INDEX "tickets_suspended_resume_idx" ON "tickets" ("resume_by") WHERE status = 'suspended';
