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

describe('redactPersonalData: names and addresses', () => {
  it('masks a Chinese name after a cue, keeping only the surname', () => {
    expect(redactPersonalData('我叫张三，请帮我查一下')).toBe('我叫张**，请帮我查一下');
    expect(redactPersonalData('姓名：李小龙 电话13812345678')).toBe('姓名：李** 电话138****5678');
    expect(redactPersonalData('联系人王芳')).toBe('联系人王**');
    expect(redactPersonalData('我叫欧阳娜娜')).toBe('我叫欧阳**');
    expect(redactPersonalData('本人陈明，申请低保')).toBe('本人陈**，申请低保');
    // Without a pause a two-character name takes the next character with it: too much masked, never too little.
    expect(redactPersonalData('本人陈明申请低保')).toBe('本人陈**请低保');
  });

  it('leaves 本人 followed by a verb, and text without a cue, alone', () => {
    expect(redactPersonalData('本人已经提交材料')).toBe('本人已经提交材料');
    expect(redactPersonalData('窗口工作人员态度很好')).toBe('窗口工作人员态度很好');
  });

  it('masks the numbers of a street address but not a window number', () => {
    expect(redactPersonalData('住在人民路128号5栋2单元302室')).toBe('住在人民路**号**栋**单元**室');
    expect(redactPersonalData('在3号窗口等了很久')).toBe('在3号窗口等了很久');
  });
});
