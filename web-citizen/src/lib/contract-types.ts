/**
 * The server's contracts, as the citizen app sees them. Types only here (erased at build), so the first
 * screen does not carry the schema builders; forms that validate with the schemas import them lazily.
 */
export type { Static } from 'typebox';
export type {
  Appointment,
  AppointmentCreate,
  Case,
  CaseCreate,
  ErrorCode,
  JoinInfo,
  Rating,
  RatingCreate,
  Slot,
  QueueChangedEvent,
  HallClientToServer,
  HallServerToClient,
  Service,
  Site,
  SiteTreeNode,
  Ticket,
  TicketCalledEvent,
  TicketCreate,
  TicketUpdatedEvent,
  Window,
} from '@yichuang/server/contracts';
