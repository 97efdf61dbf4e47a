import { index, integer, pgTable, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { services } from './services.ts';
import { sites } from './sites.ts';
import { staff } from './staff.ts';

export const windows = pgTable(
  'windows',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    siteId: uuid('site_id').notNull().references(() => sites.id),
    number: integer('number').notNull(),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['physical', 'virtual'] }).notNull(),
    status: text('status', { enum: ['open', 'closed'] }).notNull().default('closed'),
    /** The clerk staffing it while open: one at a time. */
    clerkId: uuid('clerk_id').references(() => staff.id),
    openedAt: timestamp('opened_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('windows_site_number_uq').on(t.siteId, t.number), index('windows_site_idx').on(t.siteId)],
);

export const windowServices = pgTable(
  'window_services',
  {
    windowId: uuid('window_id').notNull().references(() => windows.id, { onDelete: 'cascade' }),
    serviceId: uuid('service_id').notNull().references(() => services.id),
  },
  (t) => [primaryKey({ columns: [t.windowId, t.serviceId] }), index('window_services_service_idx').on(t.serviceId)],
);
