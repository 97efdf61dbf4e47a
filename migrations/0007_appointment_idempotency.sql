-- A booking retried with the same Idempotency-Key gets the first answer again, access token included
-- (issue #14 item 9). The key row commits with the appointment, so a retry finds both or neither.
CREATE TABLE "appointment_idempotency_keys" (
	"key" text PRIMARY KEY NOT NULL,
	"request_hash" text NOT NULL,
	"appointment_id" uuid NOT NULL REFERENCES "appointments"("id"),
	"access_token_sealed" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
