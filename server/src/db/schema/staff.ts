import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const staff = pgTable('staff', {
  id: uuid('id').primaryKey().defaultRandom(),
  username: text('username').notNull().unique(),
  /** scrypt (memory-hard): `scrypt$N$r$p$salt$hash`. */
  passwordHash: text('password_hash').notNull(),
  displayName: text('display_name').notNull(),
  role: text('role', { enum: ['admin', 'supervisor', 'clerk', 'expert'] }).notNull(),
  siteIds: uuid('site_ids').array().notNull().default(sql`'{}'::uuid[]`),
  skills: text('skills').array().notNull().default(sql`'{}'::text[]`),
  active: boolean('active').notNull().default(true),
  /** Expert presence for assistance routing. */
  online: boolean('online').notNull().default(false),
  /** TOTP key (RFC 6238), sealed with YC_SECRET; set by setup, in force once `totpEnabled`. */
  totpSecret: text('totp_secret'),
  totpEnabled: boolean('totp_enabled').notNull().default(false),
  /** The last 30-second step a code was accepted for: each code signs in once. */
  totpLastStep: bigint('totp_last_step', { mode: 'number' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Opaque bearer tokens, stored as a SHA-256 so a database leak yields no usable token. */
export const staffSessions = pgTable(
  'staff_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    staffId: uuid('staff_id').notNull().references(() => staff.id),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('staff_sessions_staff_idx').on(t.staffId)],
);

/**
 * Sign-in failures per username typed (existing or not), counted and locked in one statement before any
 * password is checked: see auth/login-throttle.ts.
 */
export const loginThrottle = pgTable(
  'login_throttle',
  {
    username: text('username').primaryKey(),
    failures: integer('failures').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('login_throttle_updated_idx').on(t.updatedAt)],
);
