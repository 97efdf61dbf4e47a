/**
 * Requests Node's HTTP parser refuses before Fastify routes them (headers over the size limit, a malformed
 * request line) still get the contract's error body: Fastify's own default answers with a body of its own.
 */
import type { Socket } from 'node:net';
import { errorBody, ERRORS, type ErrorCode } from '../contracts/errors.ts';

export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy(err);
    return;
  }
  const code: ErrorCode = err.code === 'HPE_HEADER_OVERFLOW' ? 'HEADERS_TOO_LARGE' : 'VALIDATION_FAILED';
  const status = ERRORS[code].status;
  const body = JSON.stringify(errorBody(code === 'VALIDATION_FAILED' ? { code, details: { reason: 'malformed request' } } : { code }));
  const reason = status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
