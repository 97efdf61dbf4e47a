/**
 * Stable error codes of the public API. The HTTP status and a bilingual message belong to each code;
 * one error-handler plugin and one socket-ack helper use this table, so nothing matches on message text.
 */
export const ERRORS = {
  /** Malformed JSON, wrong types, missing fields, bad ids. `details.field` names the field. */
  VALIDATION_FAILED: { status: 400, message: '请求内容有误 / the request is not valid' },
  PAYLOAD_TOO_LARGE: { status: 413, message: '请求内容过大 / the request body is too large' },
  /** The request line or headers exceed the server's limit (Node's, 16 KiB): answered before any route. */
  HEADERS_TOO_LARGE: { status: 431, message: '请求头过大 / the request headers are too large' },
  UNAUTHENTICATED: { status: 401, message: '请先登录 / please sign in' },
  /** Valid credentials, but another site, the wrong role, or someone else's ticket. */
  FORBIDDEN: { status: 403, message: '无权进行此操作 / not allowed' },
  NOT_FOUND: { status: 404, message: '未找到 / not found' },
  /** The ticket's current status does not allow this action. */
  INVALID_TRANSITION: { status: 409, message: '当前状态不能进行此操作 / not allowed in the current status' },
  /** The window is closed, or staffed by another clerk. */
  WINDOW_NOT_OPEN: { status: 409, message: '窗口未开启 / the window is not open' },
  WINDOW_BUSY: { status: 409, message: '窗口已由其他工作人员使用 / another clerk staffs this window' },
  /** The window does not serve this ticket's service. */
  SERVICE_NOT_SERVED: { status: 409, message: '该窗口不办理此事项 / this window does not serve this item' },
  /** An Idempotency-Key reused with a different request body. */
  IDEMPOTENCY_MISMATCH: { status: 409, message: '重复请求内容不一致 / idempotency key reused with a different request' },
  ALREADY_EXISTS: { status: 409, message: '已存在 / already exists' },
  SLOT_FULL: { status: 409, message: '该时段已约满 / this slot is fully booked' },
  DUPLICATE_BOOKING: { status: 409, message: '您当天已预约该事项 / you already hold a booking for this item that day' },
  TOO_MANY_APPOINTMENTS: { status: 409, message: '有效预约数已达上限 / too many active appointments' },
  CHECK_IN_WINDOW: { status: 409, message: '不在签到时间内 / outside the check-in window' },
  ALREADY_RATED: { status: 409, message: '已评价 / already rated' },
  SESSION_ENDED: { status: 409, message: '会话已结束 / the session has ended' },
  /**
   * Sign-in refused for a while after repeated failures for this username. Names that match no account lock
   * the same way, so the answer says nothing about which accounts exist. `details.retryAfterSec`.
   */
  LOCKED_OUT: { status: 429, message: '尝试次数过多，请稍后再试 / too many attempts, try again later' },
  /** The password was right; the account has a second factor: send the authenticator's 6-digit code as `totp`. */
  TOTP_REQUIRED: { status: 401, message: '请输入身份验证器中的动态验证码 / enter the code from your authenticator app' },
  /** The password must be replaced before the account signs in: set a new one with `POST /auth/password`. */
  PASSWORD_CHANGE_REQUIRED: { status: 403, message: '请先修改初始密码 / change the initial password first' },
  /**
   * Outside the demo the password given is a published one (the demo accounts', the old default admin's): the
   * account is locked, since anyone could type it. An administrator sets a new password (`POST
   * /admin/staff/{id}/password`); neither sign-in nor `POST /auth/password` accepts it.
   */
  PASSWORD_RESET_REQUIRED: { status: 403, message: '此账号使用公开的默认密码，已锁定，请联系管理员重置密码 / this account has a published default password and is locked: ask an administrator to reset it' },
  RATE_LIMITED: { status: 429, message: '请求过于频繁，请稍后再试 / too many requests, try again later' },
  /** A dependency (the database) is down: try again shortly. */
  UNAVAILABLE: { status: 503, message: '服务暂不可用，请稍后再试 / temporarily unavailable, try again shortly' },
  INTERNAL: { status: 500, message: '服务器内部错误 / internal error' },
  /** Only a finished (done) ticket or an ended assistance session can be rated. */
  NOT_FINISHED: { status: 409, message: '办结后才能评价 / only finished business can be rated' },
  /** Another expert accepted this assistance request first. */
  ASSIST_ALREADY_ACCEPTED: { status: 409, message: '该求助已由其他专家接听 / another expert has already answered' },
  /** The assistance session is still ringing: nobody has answered yet. */
  ASSIST_NOT_ACTIVE: { status: 409, message: '求助尚未接通 / the request has not been answered yet' },
  /** The ticket is not being served at a virtual window: there is no video room to join. */
  NO_VIDEO_ROOM: { status: 409, message: '当前没有视频办理 / no video call for this ticket now' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export interface DomainError {
  code: ErrorCode;
  message?: string;
  details?: Record<string, unknown>;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: DomainError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, details?: Record<string, unknown>, message?: string): { ok: false; error: DomainError } => ({
  ok: false,
  error: { code, ...(details ? { details } : {}), ...(message ? { message } : {}) },
});

/** The body of every error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details: Record<string, unknown> };
}

export function errorBody(error: DomainError): ErrorBody {
  return { error: { code: error.code, message: error.message ?? ERRORS[error.code].message, details: error.details ?? {} } };
}

/**
 * Thrown at the HTTP edge to turn a domain error into a response; the error handler maps it. It is an
 * answer, not a fault: it records no stack trace, which V8 would otherwise walk for every refusal (a
 * visible share of a release-time burst of SLOT_FULL answers).
 */
export class AppError extends Error {
  readonly domain: DomainError;
  constructor(domain: DomainError) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(domain.code);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.domain = domain;
  }
}

export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new AppError(result.error);
  return result.value;
}
