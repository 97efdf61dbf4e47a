/** Appointments (预约) and booking rules: request and response schemas (API.md "Appointments"). */
import { Type, type Static, type TSchema } from 'typebox';
import { Id, IsoDate, IsoTime } from './dto.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Enum = <const V extends string[]>(values: readonly [...V]) => Type.Enum(values);

export const APPOINTMENT_KINDS = ['hall', 'video', 'homeVisit'] as const;
export const APPOINTMENT_STATUSES = ['booked', 'checkedIn', 'cancelled', 'noShow', 'done'] as const;
export const VISIT_OUTCOMES = ['completed', 'incomplete', 'notHome'] as const;

const HhMm = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'HH:MM, site time' });
const TimeRange = Type.Array(HhMm, { minItems: 2, maxItems: 2, description: '["09:00", "12:00"]' });
const DayHours = Type.Array(TimeRange, { maxItems: 12 });

export const BookingRulesBody = Type.Object({
  openingHours: Type.Object({
    mon: Type.Optional(DayHours), tue: Type.Optional(DayHours), wed: Type.Optional(DayHours), thu: Type.Optional(DayHours),
    fri: Type.Optional(DayHours), sat: Type.Optional(DayHours), sun: Type.Optional(DayHours),
  }, { additionalProperties: false }),
  slotMinutes: Type.Integer({ minimum: 5, maximum: 240 }),
  horizonDays: Type.Integer({ minimum: 0, maximum: 180, description: 'booking for a date opens this many days ahead' }),
  appointmentShare: Type.Number({ minimum: 0, maximum: 1, description: 'share of derived capacity offered to appointments' }),
  closedDates: Type.Optional(Type.Array(IsoDate, { maxItems: 400 })),
});
export type BookingRulesBody = Static<typeof BookingRulesBody>;

export const BookingRulesView = Type.Object({
  siteId: Id,
  serviceId: Id,
  openingHours: Type.Object({ mon: DayHours, tue: DayHours, wed: DayHours, thu: DayHours, fri: DayHours, sat: DayHours, sun: DayHours }),
  slotMinutes: Type.Integer(),
  horizonDays: Type.Integer(),
  appointmentShare: Type.Number(),
  closedDates: Type.Array(IsoDate),
  /** True while no rules were set: the defaults apply. */
  isDefault: Type.Boolean(),
  /** What the capacity derivation uses today. */
  derivation: Type.Object({ windowsServing: Type.Integer(), meanHandleMin: Type.Number(), capacityPerSlot: Type.Number() }),
});
export type BookingRulesView = Static<typeof BookingRulesView>;

export const ServiceSlotParams = Type.Object({ siteId: Id, serviceId: Id });
export const SlotsQuery = Type.Object({ date: IsoDate });
export const Slot = Type.Object({ start: IsoTime, end: IsoTime, capacity: Type.Integer(), remaining: Type.Integer() });
export type Slot = Static<typeof Slot>;

export const AppointmentCitizen = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 40 }),
  idNumber: Type.String({ minLength: 18, maxLength: 18, description: '18-digit resident identity number' }),
  phone: Type.String({ minLength: 11, maxLength: 20, description: 'mainland mobile number' }),
});
export const AppointmentCreate = Type.Object({
  siteId: Id,
  serviceId: Id,
  start: IsoTime,
  kind: Type.Optional(Enum(APPOINTMENT_KINDS)),
  /** Home visits only: where to go. */
  address: Type.Optional(Type.String({ minLength: 4, maxLength: 200 })),
  citizen: AppointmentCitizen,
});
export type AppointmentCreate = Static<typeof AppointmentCreate>;

export const Appointment = Type.Object({
  id: Id,
  code: Type.String({ description: 'short code for the kiosk and the QR code' }),
  siteId: Id,
  serviceId: Id,
  kind: Enum(APPOINTMENT_KINDS),
  status: Enum(APPOINTMENT_STATUSES),
  start: IsoTime,
  end: IsoTime,
  bookedAt: IsoTime,
  checkedInAt: Nullable(IsoTime),
  ticketId: Nullable(Id),
  /** Hall and video: when check-in is possible. */
  checkIn: Nullable(Type.Object({ opensAt: IsoTime, closesAt: IsoTime })),
  citizen: Type.Object({ name: Type.String(), idNumber: Type.String(), phone: Type.String() }, { description: 'masked' }),
  /** Home visits: masked, except for staff of the site while the visit is pending. */
  address: Nullable(Type.String()),
  assignedStaffId: Nullable(Id),
  visit: Nullable(Type.Object({ outcome: Enum(VISIT_OUTCOMES), note: Type.String(), at: IsoTime, staffId: Id })),
  accessToken: Type.Optional(Type.String({ description: 'only in the booking response' })),
});
export type Appointment = Static<typeof Appointment>;

export const CheckInBody = Type.Object({ code: Type.Optional(Type.String({ minLength: 4, maxLength: 16 })) });
export const RescheduleBody = Type.Object({ start: IsoTime });
export const AssignBody = Type.Object({ staffId: Id });
export const VisitRecordBody = Type.Object({ outcome: Enum(VISIT_OUTCOMES), note: Type.String({ maxLength: 1000 }) });
export const AppointmentListQuery = Type.Object({ siteId: Id, date: IsoDate });
export const CodeParams = Type.Object({ code: Type.String({ minLength: 4, maxLength: 16, pattern: '^[A-Za-z0-9]+$' }) });
