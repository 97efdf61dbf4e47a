CREATE TABLE "appointment_slots" (
	"service_id" uuid NOT NULL,
	"start" timestamp with time zone NOT NULL,
	"site_id" uuid NOT NULL,
	"capacity" integer NOT NULL,
	"booked" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "appointment_slots_service_id_start_pk" PRIMARY KEY("service_id","start"),
	CONSTRAINT "appointment_slots_booked_ck" CHECK ("appointment_slots"."booked" >= 0 AND "appointment_slots"."booked" <= "appointment_slots"."capacity")
);
--> statement-breakpoint
CREATE TABLE "appointments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"site_id" uuid NOT NULL,
	"service_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"start" timestamp with time zone NOT NULL,
	"end" timestamp with time zone NOT NULL,
	"day" date NOT NULL,
	"booked_at" timestamp with time zone NOT NULL,
	"checked_in_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"no_show_at" timestamp with time zone,
	"ticket_id" uuid,
	"citizen_name_masked" text NOT NULL,
	"citizen_id_hash" text NOT NULL,
	"citizen_id_masked" text NOT NULL,
	"citizen_phone_masked" text NOT NULL,
	"phone_sealed" text,
	"address_sealed" text,
	"address_masked" text,
	"access_token_hash" text NOT NULL,
	"remind_day_before_at" timestamp with time zone,
	"remind_hour_before_at" timestamp with time zone,
	"assigned_staff_id" uuid,
	"visit" jsonb,
	"reschedule_count" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "booking_rules" (
	"service_id" uuid PRIMARY KEY NOT NULL,
	"site_id" uuid NOT NULL,
	"opening_hours" jsonb NOT NULL,
	"slot_minutes" integer NOT NULL,
	"horizon_days" integer NOT NULL,
	"appointment_share" double precision NOT NULL,
	"closed_dates" text[] DEFAULT '{}'::text[] NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"topic" text NOT NULL,
	"kind" text NOT NULL,
	"subject_id" uuid NOT NULL,
	"dedupe_key" text NOT NULL,
	"channel" text NOT NULL,
	"recipient_sealed" text,
	"recipient_masked" text NOT NULL,
	"body" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"lease_until" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"last_error" text,
	"provider_message_id" text,
	"created_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "job_marks" (
	"name" text NOT NULL,
	"key" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "job_marks_name_key_pk" PRIMARY KEY("name","key")
);
--> statement-breakpoint
CREATE TABLE "assist_participants" (
	"session_id" uuid NOT NULL,
	"staff_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"invited_by" uuid,
	"added_at" timestamp with time zone NOT NULL,
	CONSTRAINT "assist_participants_session_id_staff_id_pk" PRIMARY KEY("session_id","staff_id")
);
--> statement-breakpoint
CREATE TABLE "assist_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"room_id" text NOT NULL,
	"site_id" uuid NOT NULL,
	"ticket_id" uuid,
	"requested_by" uuid NOT NULL,
	"reason" text NOT NULL,
	"target" jsonb NOT NULL,
	"status" text NOT NULL,
	"rung_staff_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"stage" integer DEFAULT 0 NOT NULL,
	"next_escalation_at" timestamp with time zone,
	"requested_at" timestamp with time zone NOT NULL,
	"accepted_by" uuid,
	"accepted_at" timestamp with time zone,
	"answer_ms" integer,
	"ended_at" timestamp with time zone,
	"ended_by" uuid,
	"end_reason" text,
	"recorded" boolean DEFAULT false NOT NULL,
	CONSTRAINT "assist_sessions_room_id_unique" UNIQUE("room_id")
);
--> statement-breakpoint
CREATE TABLE "video_recordings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"room_id" text NOT NULL,
	"session_id" uuid,
	"ticket_id" uuid,
	"participant_id" text NOT NULL,
	"producer_id" text NOT NULL,
	"kind" text NOT NULL,
	"source" text NOT NULL,
	"file" text NOT NULL,
	"status" text NOT NULL,
	"sha256" text,
	"bytes" bigint,
	"duration_ms" integer,
	"error" text,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "video_room_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"room_id" text NOT NULL,
	"session_id" uuid,
	"ticket_id" uuid,
	"type" text NOT NULL,
	"actor_kind" text NOT NULL,
	"actor_id" text,
	"at" timestamp with time zone NOT NULL,
	"data" jsonb
);
--> statement-breakpoint
CREATE TABLE "ratings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"site_id" uuid NOT NULL,
	"ticket_id" uuid,
	"assist_session_id" uuid,
	"service_id" uuid,
	"window_id" uuid,
	"staff_id" uuid,
	"score" integer NOT NULL,
	"reasons" text[] DEFAULT '{}'::text[] NOT NULL,
	"comment" text,
	"case_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "ratings_ticket_uq" UNIQUE("ticket_id"),
	CONSTRAINT "ratings_assist_session_uq" UNIQUE("assist_session_id"),
	CONSTRAINT "ratings_score_ck" CHECK ("ratings"."score" between 1 and 5),
	CONSTRAINT "ratings_subject_ck" CHECK ("ratings"."ticket_id" is not null or "ratings"."assist_session_id" is not null)
);
--> statement-breakpoint
CREATE TABLE "case_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"type" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"actor_kind" text NOT NULL,
	"actor_id" uuid,
	"at" timestamp with time zone NOT NULL,
	"note" text,
	"data" jsonb
);
--> statement-breakpoint
CREATE TABLE "case_number_counters" (
	"prefix" text NOT NULL,
	"day" date NOT NULL,
	"last" integer NOT NULL,
	CONSTRAINT "case_number_counters_prefix_day_pk" PRIMARY KEY("prefix","day")
);
--> statement-breakpoint
CREATE TABLE "cases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"number" text NOT NULL,
	"site_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"complex" boolean DEFAULT false NOT NULL,
	"source" text NOT NULL,
	"description" text NOT NULL,
	"service_id" uuid,
	"ticket_id" uuid,
	"rating_id" uuid,
	"contact_name_masked" text,
	"contact_phone_masked" text,
	"contact_phone_sealed" text,
	"access_token_hash" text NOT NULL,
	"assignee_id" uuid,
	"filed_by_id" uuid,
	"opened_at" timestamp with time zone NOT NULL,
	"reply_due_at" timestamp with time zone NOT NULL,
	"deadline_at" timestamp with time zone NOT NULL,
	"first_replied_at" timestamp with time zone,
	"last_reply" text,
	"resolved_at" timestamp with time zone,
	"resolution" text,
	"revisited_at" timestamp with time zone,
	"revisit_outcome" text,
	"revisit_comment" text,
	"reopen_count" integer DEFAULT 0 NOT NULL,
	"closed_at" timestamp with time zone,
	"reply_warned_at" timestamp with time zone,
	"reply_escalated_at" timestamp with time zone,
	"resolve_warned_at" timestamp with time zone,
	"resolve_escalated_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "cases_number_unique" UNIQUE("number")
);
--> statement-breakpoint
CREATE TABLE "stats_daily" (
	"site_id" uuid NOT NULL,
	"day" date NOT NULL,
	"tickets" integer NOT NULL,
	"facts" jsonb NOT NULL,
	"computed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "stats_daily_site_id_day_pk" PRIMARY KEY("site_id","day")
);
--> statement-breakpoint
ALTER TABLE "appointment_slots" ADD CONSTRAINT "appointment_slots_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_rules" ADD CONSTRAINT "booking_rules_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_rules" ADD CONSTRAINT "booking_rules_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assist_participants" ADD CONSTRAINT "assist_participants_session_id_assist_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."assist_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assist_participants" ADD CONSTRAINT "assist_participants_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assist_sessions" ADD CONSTRAINT "assist_sessions_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assist_sessions" ADD CONSTRAINT "assist_sessions_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assist_sessions" ADD CONSTRAINT "assist_sessions_requested_by_staff_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assist_sessions" ADD CONSTRAINT "assist_sessions_accepted_by_staff_id_fk" FOREIGN KEY ("accepted_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_events" ADD CONSTRAINT "case_events_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stats_daily" ADD CONSTRAINT "stats_daily_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "appointments_code_uq" ON "appointments" USING btree ("code");--> statement-breakpoint
CREATE UNIQUE INDEX "appointments_person_service_day_uq" ON "appointments" USING btree ("citizen_id_hash","service_id","day") WHERE status IN ('booked', 'checkedIn');--> statement-breakpoint
CREATE INDEX "appointments_person_active_idx" ON "appointments" USING btree ("citizen_id_hash") WHERE status = 'booked';--> statement-breakpoint
CREATE INDEX "appointments_site_day_idx" ON "appointments" USING btree ("site_id","day");--> statement-breakpoint
CREATE INDEX "appointments_booked_start_idx" ON "appointments" USING btree ("start") WHERE status = 'booked';--> statement-breakpoint
CREATE UNIQUE INDEX "notification_outbox_dedupe_uq" ON "notification_outbox" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "notification_outbox_due_idx" ON "notification_outbox" USING btree ("next_attempt_at") WHERE status IN ('pending', 'sending');--> statement-breakpoint
CREATE INDEX "notification_outbox_subject_idx" ON "notification_outbox" USING btree ("subject_id");--> statement-breakpoint
CREATE INDEX "assist_participants_staff_idx" ON "assist_participants" USING btree ("staff_id");--> statement-breakpoint
CREATE INDEX "assist_sessions_due_idx" ON "assist_sessions" USING btree ("next_escalation_at") WHERE status = 'ringing';--> statement-breakpoint
CREATE INDEX "assist_sessions_site_idx" ON "assist_sessions" USING btree ("site_id","requested_at");--> statement-breakpoint
CREATE INDEX "assist_sessions_rung_idx" ON "assist_sessions" USING gin ("rung_staff_ids");--> statement-breakpoint
CREATE INDEX "video_recordings_room_idx" ON "video_recordings" USING btree ("room_id");--> statement-breakpoint
CREATE INDEX "video_recordings_session_idx" ON "video_recordings" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "video_room_events_room_idx" ON "video_room_events" USING btree ("room_id","id");--> statement-breakpoint
CREATE INDEX "video_room_events_session_idx" ON "video_room_events" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "ratings_site_created_idx" ON "ratings" USING btree ("site_id","created_at");--> statement-breakpoint
CREATE INDEX "case_events_case_idx" ON "case_events" USING btree ("case_id","id");--> statement-breakpoint
CREATE INDEX "case_events_site_at_idx" ON "case_events" USING btree ("site_id","at");--> statement-breakpoint
CREATE INDEX "cases_site_status_idx" ON "cases" USING btree ("site_id","status");--> statement-breakpoint
CREATE INDEX "cases_site_opened_idx" ON "cases" USING btree ("site_id","opened_at");--> statement-breakpoint
CREATE INDEX "cases_active_deadline_idx" ON "cases" USING btree ("deadline_at") WHERE status in ('open', 'assigned', 'replied', 'escalated');--> statement-breakpoint
CREATE INDEX "cases_ticket_idx" ON "cases" USING btree ("ticket_id");