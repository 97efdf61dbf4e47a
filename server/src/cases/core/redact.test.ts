import { describe, expect, it } from 'vitest';
import { redactPersonalData } from './redact.ts';

describe('redactPersonalData', () => {
  it('masks mobile and resident id numbers inside free text', () => {
    expect(redactPersonalData('请回电13812345678，身份证310101199001011237')).toBe('请回电138****5678，身份证3101**********1237');
    expect(redactPersonalData('tel +86 138-1234-5678 please')).toBe('tel 138****5678 please');
    expect(redactPersonalData('id 31010119900101123x')).toBe('id 3101**********123X');
  });

  it('leaves other numbers alone', () => {
    expect(redactPersonalData('受理编号 202611230001234567890 金额 1380 元, 窗口 12')).toBe('受理编号 202611230001234567890 金额 1380 元, 窗口 12');
  });
});
