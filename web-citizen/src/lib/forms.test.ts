import { describe, expect, it } from 'vitest';
import { checkBooking, checkCase, checkRating } from './forms.ts';

const SITE = '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const SVC = '7f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const base = { siteId: SITE, serviceId: SVC, start: '2026-11-24T09:30:00+08:00', kind: 'hall' as const };
// 11010519491231002X: the GB 11643 standard's own example.
const GOOD_ID = '11010519491231002x';

describe('booking form', () => {
  it('accepts a valid identity and normalises it (upper-case X, bare mobile digits)', () => {
    const r = checkBooking(base, { name: ' 张三 ', idNumber: GOOD_ID, phone: '+86 138-1234-5678', address: '' });
    expect(r).toEqual({ ok: true, body: { ...base, citizen: { name: '张三', idNumber: '11010519491231002X', phone: '13812345678' } } });
  });

  it('names each field to fix: a wrong check digit, a bad mobile, a missing name', () => {
    const r = checkBooking(base, { name: '', idNumber: '110105194912310021', phone: '12812345678', address: '' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual({ name: 'err.field.required', idNumber: 'err.field.idNumber', phone: 'err.field.phone' });
  });

  it('refuses an impossible birth date even with a matching check digit', () => {
    // 1990-02-30 does not exist.
    const r = checkBooking(base, { name: '张三', idNumber: '310101199002301234', phone: '13812345678', address: '' });
    expect(r.ok).toBe(false);
  });

  it('a home visit needs an address; the schema backstop catches a malformed start', () => {
    const home = checkBooking({ ...base, kind: 'homeVisit' }, { name: '张三', idNumber: GOOD_ID, phone: '13812345678', address: '' });
    expect(home.ok ? null : home.errors).toEqual({ address: 'err.field.address' });
    const bad = checkBooking({ ...base, start: 'tomorrow' }, { name: '张三', idNumber: GOOD_ID, phone: '13812345678', address: '' });
    expect(bad.ok ? null : Object.keys(bad.errors)).toEqual(['start']);
  });
});

describe('办不成事 form', () => {
  it('needs a site, a description of at least 5 characters and a mobile to call back', () => {
    const r = checkCase({ siteId: '', description: '办不了', name: '', phone: '' });
    expect(r.ok ? null : r.errors).toEqual({ siteId: 'err.field.required', description: 'err.field.description', phone: 'err.field.required' });
  });

  it('builds the case body with kind cannotBeDone', () => {
    const r = checkCase({ siteId: SITE, description: '窗口说系统查不到记录', name: '王五', phone: '13912345678' });
    expect(r).toEqual({ ok: true, body: { siteId: SITE, kind: 'cannotBeDone', description: '窗口说系统查不到记录', contact: { name: '王五', phone: '13912345678' } } });
  });
});

describe('rating form', () => {
  it('needs a score; sends reasons and comment only when given', () => {
    expect(checkRating({ score: null, reasons: [], comment: '' }).ok).toBe(false);
    expect(checkRating({ score: 5, reasons: [], comment: ' ' })).toEqual({ ok: true, body: { score: 5 } });
    expect(checkRating({ score: 2, reasons: ['等候时间长'], comment: '太慢' })).toEqual({ ok: true, body: { score: 2, reasons: ['等候时间长'], comment: '太慢' } });
  });
});
