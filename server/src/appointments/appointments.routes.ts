import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  Appointment, AppointmentCreate, AppointmentListQuery, AssignBody, BookingRulesBody, BookingRulesView, CheckInBody, CodeParams,
  RescheduleBody, ServiceSlotParams, Slot, SlotsQuery, VisitRecordBody,
} from '../contracts/appointments.ts';
import { IdempotencyHeaders, IdParams, Ticket } from '../contracts/dto.ts';
import { unwrap } from '../contracts/errors.ts';
import { citizenToken, deny, errorResponses, staffOf } from '../lib/route-helpers.ts';
import { hashToken } from '../lib/secrets.ts';
import { requireStaff } from '../plugins/auth.ts';
import type { AppointmentRow } from './appointments.repository.ts';
import type { AppointmentsService } from './appointments.service.ts';

const TokenQuery = Type.Object({ t: Type.Optional(Type.String({ maxLength: 200 })) });

export function appointmentsRoutes(appointments: AppointmentsService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { sites } = app.deps;
    const counterStaff = requireStaff('clerk', 'supervisor');

    /** The appointment, if the caller may act on it: staff of its site, or the citizen holding its token. */
    async function access(request: FastifyRequest, id: string): Promise<{ row: AppointmentRow; staff: boolean }> {
      const row = await appointments.find(id);
      if (!row) deny('NOT_FOUND', { resource: 'appointment' });
      if (request.staff) {
        if (request.staff.role === 'expert') deny('FORBIDDEN', { reason: 'role' });
        if (!(await sites.canAccess(request.staff, row.siteId))) deny('FORBIDDEN', { reason: 'site' });
        return { row, staff: true };
      }
      const token = citizenToken(request);
      if (!token) deny('UNAUTHENTICATED', { reason: 'access token required' });
      if (hashToken(token) !== row.accessTokenHash) deny('FORBIDDEN', { reason: 'not your appointment' });
      return { row, staff: false };
    }

    async function staffSite(request: FastifyRequest, siteId: string) {
      if (!(await sites.get(siteId))) deny('NOT_FOUND', { resource: 'site' });
      if (!(await sites.canAccess(staffOf(request), siteId))) deny('FORBIDDEN', { reason: 'site' });
    }

    app.get('/sites/:siteId/services/:serviceId/slots', {
      schema: { tags: ['appointments'], params: ServiceSlotParams, querystring: SlotsQuery, response: { 200: Type.Array(Slot), ...errorResponses(400, 404) } },
    }, async (request) => unwrap(await appointments.listSlots(request.params.siteId, request.params.serviceId, request.query.date)));

    const rulesPath = '/admin/sites/:siteId/services/:serviceId/booking-rules';
    app.get(rulesPath, {
      preValidation: requireStaff('supervisor'),
      schema: { tags: ['admin'], params: ServiceSlotParams, response: { 200: BookingRulesView, ...errorResponses(400, 401, 403, 404) } },
    }, async (request) => {
      await staffSite(request, request.params.siteId);
      return unwrap(await appointments.getRules(request.params.siteId, request.params.serviceId));
    });
    app.put(rulesPath, {
      preValidation: requireStaff('admin'),
      schema: { tags: ['admin'], params: ServiceSlotParams, body: BookingRulesBody, response: { 200: BookingRulesView, ...errorResponses(400, 401, 403, 404) } },
    }, async (request) => unwrap(await appointments.setRules(request.params.siteId, request.params.serviceId, request.body)));

    // A citizen app that lost the answer retries with the same Idempotency-Key and gets it again, token included.
    app.post('/appointments', {
      schema: { tags: ['appointments'], headers: IdempotencyHeaders, body: AppointmentCreate, response: { 201: Appointment, ...errorResponses(400, 404, 409, 429) } },
    }, async (request, reply) => {
      const key = request.headers['idempotency-key'];
      return reply.status(201).send(unwrap(await appointments.book(request.body, { ip: request.ip, ...(key ? { idempotencyKey: key } : {}) })));
    });

    app.get('/appointments', {
      preValidation: counterStaff,
      schema: { tags: ['appointments'], querystring: AppointmentListQuery, response: { 200: Type.Array(Appointment), ...errorResponses(400, 401, 403, 404) } },
    }, async (request) => {
      await staffSite(request, request.query.siteId);
      const rows = await appointments.listForDay(request.query.siteId, request.query.date);
      return Promise.all(rows.map((r) => appointments.present(r, { staff: true })));
    });

    // The kiosk (a staff device) types or scans the code.
    app.get('/appointments/by-code/:code', {
      preValidation: counterStaff,
      schema: { tags: ['appointments'], params: CodeParams, response: { 200: Appointment, ...errorResponses(400, 401, 403, 404) } },
    }, async (request) => {
      const row = await appointments.findByCode(request.params.code);
      if (!row || !(await sites.canAccess(staffOf(request), row.siteId))) deny('NOT_FOUND', { resource: 'appointment' });
      return appointments.present(row, { staff: true });
    });

    app.get('/appointments/:id', {
      schema: { tags: ['appointments'], params: IdParams, querystring: TokenQuery, response: { 200: Appointment, ...errorResponses(400, 401, 403, 404) } },
    }, async (request) => {
      const { row, staff } = await access(request, request.params.id);
      return appointments.present(row, { staff });
    });

    app.post('/appointments/:id/cancel', {
      schema: { tags: ['appointments'], params: IdParams, querystring: TokenQuery, response: { 200: Appointment, ...errorResponses(400, 401, 403, 404, 409) } },
    }, async (request) => {
      await access(request, request.params.id);
      return unwrap(await appointments.cancel(request.params.id));
    });

    app.post('/appointments/:id/reschedule', {
      schema: { tags: ['appointments'], params: IdParams, querystring: TokenQuery, body: RescheduleBody, response: { 200: Appointment, ...errorResponses(400, 401, 403, 404, 409, 429) } },
    }, async (request) => {
      await access(request, request.params.id);
      return unwrap(await appointments.reschedule(request.params.id, request.body.start, { ip: request.ip }));
    });

    app.post('/appointments/:id/check-in', {
      // A citizen's phone sends no body at all: validate it as `{}`.
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {};
      },
      schema: {
        tags: ['appointments'], params: IdParams, querystring: TokenQuery, body: CheckInBody,
        description: 'Citizen (X-Access-Token), or staff/kiosk with { code }. Repeats return the same ticket.',
        response: { 201: Ticket, ...errorResponses(400, 401, 403, 404, 409) },
      },
    }, async (request, reply) => {
      const { row, staff } = await access(request, request.params.id);
      // Staff check a citizen in on sight of the code (read aloud, typed, or scanned from the QR).
      if (staff && request.body.code?.toUpperCase() !== row.code) deny('FORBIDDEN', { reason: 'the appointment code does not match' });
      return reply.status(201).send(unwrap(await appointments.checkIn(row.id)));
    });

    app.post('/appointments/:id/assign', {
      preValidation: requireStaff('supervisor'),
      schema: { tags: ['appointments'], params: IdParams, body: AssignBody, response: { 200: Appointment, ...errorResponses(400, 401, 403, 404, 409) } },
    }, async (request) => unwrap(await appointments.assign(request.params.id, request.body.staffId, staffOf(request))));

    app.post('/appointments/:id/visit-record', {
      preValidation: requireStaff('clerk', 'supervisor', 'expert'),
      schema: { tags: ['appointments'], params: IdParams, body: VisitRecordBody, response: { 200: Appointment, ...errorResponses(400, 401, 403, 404, 409) } },
    }, async (request) => unwrap(await appointments.recordVisit(request.params.id, request.body, staffOf(request))));
  };
}
