/**
 * Free text from citizens and staff (a description, a comment, a reply) often carries a phone or id number,
 * a name, an address. What can be recognised is masked before the text is stored, so no list, log, report or
 * export shows it. Recognised: resident id numbers, mainland mobiles, a Chinese name right after a cue that
 * introduces one (我叫, 姓名, 本人, 联系人 …), and the numbers of a street address (门牌, 栋, 单元, 室).
 * Not recognised (docs/security.md, "Sockets and input", says so): names without a cue, names in Latin letters,
 * landlines, addresses without numbers, and anything spelled out to dodge (一三八…).
 */
import { maskIdNumber, maskPhone } from '../../lib/personal-data.ts';

// Not preceded or followed by another digit: a longer digit run (an order number) is left alone.
const ID_RE = /(?<!\d)\d{17}[\dXx](?![\dXx])/g;
const MOBILE_RE = /(?<!\d)(?:\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)/g;

/** Cues after which the next Han characters are a name: any of them (a name is what the writer meant). */
const NAME_CUE = '(?:我叫|我名叫|名叫|名字叫|名字是|姓名[是为]?[:：]?|联系人[是为]?[:：]?|申请人[是为]?[:：]?|代办人[是为]?[:：]?|经办人[是为]?[:：]?)';
/**
 * 本人 is followed by a name or by a verb (本人已提交): only a common surname after it counts as a name.
 * Rationale: these ~100 surnames cover about 85% of people (公安部 2020 surname statistics).
 */
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const COMPOUND = '(?:欧阳|司马|诸葛|上官|东方|皇甫|尉迟|公孙|慕容|令狐|司徒|夏侯)';
// A name is two or three Han characters (four with a compound surname); the mask keeps only the surname.
const CUED_NAME_RE = new RegExp(`(${NAME_CUE}\\s*)(${COMPOUND}\\p{Script=Han}{1,2}|\\p{Script=Han}{2,3})`, 'gu');
const SELF_NAME_RE = new RegExp(`(本人\\s*)(${COMPOUND}\\p{Script=Han}{1,2}|[${SURNAMES}]\\p{Script=Han}{1,2})`, 'gu');
/** House, building, unit and room numbers of an address; not a window's number (3号窗口). */
const ADDRESS_NUMBER_RE = /\d+(?=\s*(?:号(?!窗)|栋|幢|单元|室|弄))/g;

function maskHanName(name: string): string {
  const chars = [...name];
  const surname = COMPOUND_SURNAMES.has(chars.slice(0, 2).join('')) ? chars.slice(0, 2).join('') : (chars[0] ?? '');
  return `${surname}**`;
}
const COMPOUND_SURNAMES = new Set(COMPOUND.slice(3, -1).split('|'));

export function redactPersonalData(text: string): string {
  return text
    .replace(ID_RE, (id) => maskIdNumber(id.toUpperCase()))
    .replace(MOBILE_RE, (_m, a: string, b: string, c: string) => maskPhone(`${a}${b}${c}`))
    .replace(CUED_NAME_RE, (_m, cue: string, name: string) => `${cue}${maskHanName(name)}`)
    .replace(SELF_NAME_RE, (_m, cue: string, name: string) => `${cue}${maskHanName(name)}`)
    .replace(ADDRESS_NUMBER_RE, '**');
}
