import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, newTotpSecret, otpauthUri, totpCode, verifyTotp } from './totp.ts';

// RFC 6238 appendix B (SHA1 key "12345678901234567890"), 8-digit values; RFC 4226 appendix D for HOTP.
const RFC_KEY = Buffer.from('12345678901234567890');

describe('TOTP (RFC 6238)', () => {
  it('matches the RFC 4226 HOTP test values', () => {
    expect([0, 1, 2, 3, 9].map((c) => hotp(RFC_KEY, c))).toEqual(['755224', '287082', '359152', '969429', '520489']);
  });

  it('matches the RFC 6238 SHA1 test values', () => {
    const cases: [number, string][] = [[59, '94287082'], [1111111109, '07081804'], [1111111111, '14050471'], [1234567890, '89005924'], [2000000000, '69279037'], [20000000000, '65353130']];
    for (const [t, code] of cases) expect(hotp(RFC_KEY, Math.floor(t / 30), 8)).toBe(code);
  });

  it('round-trips base32 as authenticator apps write it', () => {
    expect(base32Encode(RFC_KEY)).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(base32Decode('gezd gnbv gy3t qojq gezd gnbv gy3t qojq').equals(RFC_KEY)).toBe(true);
    const s = newTotpSecret();
    expect(s).toMatch(/^[A-Z2-7]{32}$/);
  });

  it('accepts the current code and one step of drift, returning the step; nothing else', () => {
    const secret = base32Encode(RFC_KEY);
    const now = 1111111111_000;
    expect(verifyTotp(secret, totpCode(secret, now), now)).toBe(Math.floor(1111111111 / 30));
    expect(verifyTotp(secret, totpCode(secret, now - 30_000), now)).toBe(Math.floor(1111111111 / 30) - 1);
    expect(verifyTotp(secret, totpCode(secret, now + 30_000), now)).toBe(Math.floor(1111111111 / 30) + 1);
    expect(verifyTotp(secret, totpCode(secret, now - 90_000), now)).toBeNull();
    expect(verifyTotp(secret, '12345', now)).toBeNull();
    expect(verifyTotp(secret, 'abcdef', now)).toBeNull();
  });

  it('writes an otpauth URI apps read', () => {
    expect(otpauthUri('ABC', 'admin')).toBe('otpauth://totp/%E4%B8%80%E7%AA%97%20Yichuang%3Aadmin?secret=ABC&issuer=%E4%B8%80%E7%AA%97%20Yichuang&algorithm=SHA1&digits=6&period=30');
  });
});
