-- Sign-in failures are counted per username typed, whether or not such an account exists, so a lockout
-- answers the same for both and says nothing about which accounts exist. One conditional upsert counts an
-- attempt and decides the lock before the password hash is checked (server/src/auth/login-throttle.ts).
CREATE TABLE IF NOT EXISTS "login_throttle" (
	"username" text PRIMARY KEY NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "login_throttle_updated_idx" ON "login_throttle" USING btree ("updated_at");--> statement-breakpoint
ALTER TABLE "staff" DROP COLUMN IF EXISTS "failed_logins";--> statement-breakpoint
ALTER TABLE "staff" DROP COLUMN IF EXISTS "locked_until";--> statement-breakpoint
-- TOTP (RFC 6238) second factor: the shared key sealed with YC_SECRET; enabled once a code proved the
-- authenticator has it; the last time step used, so a code works once.
ALTER TABLE "staff" ADD COLUMN IF NOT EXISTS "totp_secret" text;--> statement-breakpoint
ALTER TABLE "staff" ADD COLUMN IF NOT EXISTS "totp_enabled" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "staff" ADD COLUMN IF NOT EXISTS "totp_last_step" bigint;
