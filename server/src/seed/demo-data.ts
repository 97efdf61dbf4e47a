/**
 * A realistic Qingpu (青浦) demo: the district centre, two sub-centres, three community centres, four village
 * stations, and the Yangtze Delta cross-province desks. Coordinates are approximate public locations.
 */
import type { SiteLevel } from '../contracts/dto.ts';

export interface DemoSite {
  code: string; name: string; level: SiteLevel; parentCode?: string; region: string; address: string; lat: number; lng: number;
  services: string[]; windows: { number: number; name: string; kind: 'physical' | 'virtual'; services: string[] | 'all' }[];
}

export interface DemoService { code: string; name: string; category: string; complexity: 'general' | 'complex'; pinyin: string; materialsNote: string }

export const DEMO_SERVICES: DemoService[] = [
  { code: 'HJ01', name: '居住证办理', category: 'A', complexity: 'general', pinyin: 'jzzbl', materialsNote: '身份证、租赁合同或房产证明、近期照片' },
  { code: 'HJ02', name: '户口迁移', category: 'A', complexity: 'complex', pinyin: 'hkqy', materialsNote: '户口簿、身份证、准迁证明' },
  { code: 'HJ03', name: '身份证换领', category: 'A', complexity: 'general', pinyin: 'sfzhl', materialsNote: '原身份证或户口簿' },
  { code: 'SB01', name: '社保卡补办', category: 'B', complexity: 'general', pinyin: 'sbkbb', materialsNote: '身份证' },
  { code: 'SB02', name: '养老保险关系转移', category: 'B', complexity: 'complex', pinyin: 'ylbxgxzy', materialsNote: '身份证、参保缴费凭证' },
  { code: 'SB03', name: '灵活就业参保登记', category: 'B', complexity: 'general', pinyin: 'lhjycbdj', materialsNote: '身份证' },
  { code: 'YB01', name: '医保报销', category: 'C', complexity: 'general', pinyin: 'ybbx', materialsNote: '身份证、医保卡、发票、费用清单' },
  { code: 'YB02', name: '异地就医备案', category: 'C', complexity: 'general', pinyin: 'ydjyba', materialsNote: '身份证、医保卡' },
  { code: 'YB03', name: '长护险申请', category: 'C', complexity: 'complex', pinyin: 'chxsq', materialsNote: '身份证、医保卡、病历资料' },
  { code: 'SC01', name: '营业执照变更登记', category: 'D', complexity: 'complex', pinyin: 'yyzzbgdj', materialsNote: '营业执照正副本、变更决议、法定代表人身份证' },
  { code: 'SC02', name: '个体工商户设立登记', category: 'D', complexity: 'general', pinyin: 'gtgshsldj', materialsNote: '经营者身份证、经营场所证明' },
  { code: 'SC03', name: '食品经营许可', category: 'D', complexity: 'complex', pinyin: 'spjyxk', materialsNote: '营业执照、场所平面图、管理制度' },
  { code: 'BDC1', name: '不动产登记', category: 'E', complexity: 'complex', pinyin: 'bdcdj', materialsNote: '身份证、不动产权证书、买卖合同' },
  { code: 'BDC2', name: '不动产登记信息查询', category: 'E', complexity: 'general', pinyin: 'bdcdjxxcx', materialsNote: '身份证' },
  { code: 'GJJ1', name: '公积金提取', category: 'F', complexity: 'general', pinyin: 'gjjtq', materialsNote: '身份证、银行卡、提取证明' },
  { code: 'GJJ2', name: '公积金贷款', category: 'F', complexity: 'complex', pinyin: 'gjjdk', materialsNote: '身份证、购房合同、收入证明' },
  { code: 'MZ01', name: '老年综合津贴申领', category: 'G', complexity: 'general', pinyin: 'lnzhjtsl', materialsNote: '身份证、银行卡' },
  { code: 'MZ02', name: '残疾人证办理', category: 'G', complexity: 'complex', pinyin: 'cjrzbl', materialsNote: '身份证、户口簿、照片、医院证明' },
  { code: 'MZ03', name: '婚姻登记预约咨询', category: 'G', complexity: 'general', pinyin: 'hydjyyzx', materialsNote: '双方身份证、户口簿' },
  { code: 'JY01', name: '就业失业登记', category: 'H', complexity: 'general', pinyin: 'jysydj', materialsNote: '身份证' },
  { code: 'KS01', name: '长三角跨省通办综合受理', category: 'K', complexity: 'complex', pinyin: 'csjkstbzhsl', materialsNote: '按事项要求准备，可先咨询' },
];

const COMMUNITY_SERVICES = ['HJ01', 'HJ03', 'SB01', 'YB01', 'YB02', 'MZ01', 'JY01'];
const VILLAGE_SERVICES = ['SB01', 'YB01', 'MZ01', 'HJ01'];
const DELTA_SERVICES = ['KS01', 'SB02', 'YB02', 'SC02'];

export const DEMO_SITES: DemoSite[] = [
  {
    code: 'QP', name: '青浦区政务服务中心', level: 'district', region: 'SH-QP', address: '上海市青浦区公园东路1218号', lat: 31.1510, lng: 121.1240,
    services: DEMO_SERVICES.map((s) => s.code),
    windows: [
      { number: 1, name: '综合受理1号窗口', kind: 'physical', services: ['HJ01', 'HJ02', 'HJ03', 'JY01', 'MZ01', 'MZ03'] },
      { number: 2, name: '综合受理2号窗口', kind: 'physical', services: ['HJ01', 'HJ03', 'SB01', 'SB03', 'JY01'] },
      { number: 3, name: '社保医保窗口', kind: 'physical', services: ['SB01', 'SB02', 'SB03', 'YB01', 'YB02', 'YB03'] },
      { number: 4, name: '医保窗口', kind: 'physical', services: ['YB01', 'YB02', 'YB03', 'MZ01', 'MZ02'] },
      { number: 5, name: '市场准入窗口', kind: 'physical', services: ['SC01', 'SC02', 'SC03'] },
      { number: 6, name: '不动产窗口', kind: 'physical', services: ['BDC1', 'BDC2'] },
      { number: 7, name: '公积金窗口', kind: 'physical', services: ['GJJ1', 'GJJ2'] },
      { number: 8, name: '跨省通办窗口', kind: 'physical', services: ['KS01', 'SB02', 'YB02'] },
      { number: 9, name: '远程虚拟窗口（社保医保）', kind: 'virtual', services: ['SB01', 'SB02', 'YB01', 'YB02', 'MZ01'] },
      { number: 10, name: '远程虚拟窗口（综合）', kind: 'virtual', services: 'all' },
    ],
  },
  { code: 'QP-XHQ', name: '西虹桥政务服务分中心', level: 'subcentre', parentCode: 'QP', region: 'SH-QP', address: '上海市青浦区徐泾镇诸光路1588号', lat: 31.1780, lng: 121.2650,
    services: ['HJ01', 'HJ03', 'SB01', 'YB01', 'SC01', 'SC02', 'GJJ1', 'MZ01'],
    windows: [
      { number: 1, name: '综合窗口1', kind: 'physical', services: 'all' },
      { number: 2, name: '综合窗口2', kind: 'physical', services: 'all' },
      { number: 3, name: '企业服务窗口', kind: 'physical', services: ['SC01', 'SC02'] },
    ] },
  { code: 'QP-GYY', name: '青浦工业园区政务服务分中心', level: 'subcentre', parentCode: 'QP', region: 'SH-QP', address: '上海市青浦区崧华路800号', lat: 31.1620, lng: 121.0880,
    services: ['SC01', 'SC02', 'SC03', 'SB02', 'JY01', 'GJJ1'],
    windows: [
      { number: 1, name: '企业综合窗口', kind: 'physical', services: 'all' },
      { number: 2, name: '人社窗口', kind: 'physical', services: ['SB02', 'JY01', 'GJJ1'] },
    ] },
  { code: 'QP-XP', name: '夏阳街道社区事务受理服务中心', level: 'community', parentCode: 'QP', region: 'SH-QP', address: '上海市青浦区青松路100号', lat: 31.1490, lng: 121.1050,
    services: COMMUNITY_SERVICES, windows: [{ number: 1, name: '综合窗口1', kind: 'physical', services: 'all' }, { number: 2, name: '综合窗口2', kind: 'physical', services: 'all' }] },
  { code: 'QP-ZJJ', name: '朱家角镇社区事务受理服务中心', level: 'community', parentCode: 'QP', region: 'SH-QP', address: '上海市青浦区朱家角镇沙家埭路18号', lat: 31.1120, lng: 121.0530,
    services: COMMUNITY_SERVICES, windows: [{ number: 1, name: '综合窗口', kind: 'physical', services: 'all' }] },
  { code: 'QP-JX', name: '金泽镇社区事务受理服务中心', level: 'community', parentCode: 'QP', region: 'SH-QP', address: '上海市青浦区金泽镇金溪路358号', lat: 31.0430, lng: 120.9170,
    services: COMMUNITY_SERVICES, windows: [{ number: 1, name: '综合窗口', kind: 'physical', services: 'all' }] },
  { code: 'QP-ZJJ-ZX', name: '朱家角镇张马村便民服务站', level: 'village', parentCode: 'QP-ZJJ', region: 'SH-QP', address: '朱家角镇张马村村委会', lat: 31.0980, lng: 121.0280,
    services: VILLAGE_SERVICES, windows: [{ number: 1, name: '代办窗口', kind: 'physical', services: 'all' }] },
  { code: 'QP-ZJJ-LJ', name: '朱家角镇李庄村便民服务站', level: 'village', parentCode: 'QP-ZJJ', region: 'SH-QP', address: '朱家角镇李庄村村委会', lat: 31.1250, lng: 121.0350,
    services: VILLAGE_SERVICES, windows: [{ number: 1, name: '代办窗口', kind: 'physical', services: 'all' }] },
  { code: 'QP-JX-CX', name: '金泽镇岑卜村便民服务站', level: 'village', parentCode: 'QP-JX', region: 'SH-QP', address: '金泽镇岑卜村村委会', lat: 31.0560, lng: 120.9540,
    services: VILLAGE_SERVICES, windows: [{ number: 1, name: '代办窗口', kind: 'physical', services: 'all' }] },
  { code: 'QP-XP-DT', name: '夏阳街道塘郁村便民服务站', level: 'village', parentCode: 'QP-XP', region: 'SH-QP', address: '夏阳街道塘郁村村委会', lat: 31.1350, lng: 121.1150,
    services: VILLAGE_SERVICES, windows: [{ number: 1, name: '代办窗口', kind: 'physical', services: 'all' }] },
  { code: 'DELTA-QP', name: '长三角跨省通办窗口（上海青浦）', level: 'crossProvince', region: 'SH-QP', address: '上海市青浦区公园东路1218号 8号窗口旁', lat: 31.1511, lng: 121.1242,
    services: DELTA_SERVICES, windows: [{ number: 1, name: '跨省通办（青浦）', kind: 'virtual', services: 'all' }] },
  { code: 'DELTA-WJ', name: '长三角跨省通办窗口（江苏吴江）', level: 'crossProvince', region: 'JS-WJ', address: '江苏省苏州市吴江区中山南路1979号', lat: 31.1380, lng: 120.6450,
    services: DELTA_SERVICES, windows: [{ number: 1, name: '跨省通办（吴江）', kind: 'virtual', services: 'all' }] },
  { code: 'DELTA-JS', name: '长三角跨省通办窗口（浙江嘉善）', level: 'crossProvince', region: 'ZJ-JS', address: '浙江省嘉兴市嘉善县罗星街道华亭路355号', lat: 30.8300, lng: 120.9250,
    services: DELTA_SERVICES, windows: [{ number: 1, name: '跨省通办（嘉善）', kind: 'virtual', services: 'all' }] },
];

export const DEMO_PASSWORD = 'demo12345';

export const DEMO_STAFF: { username: string; displayName: string; role: 'supervisor' | 'clerk' | 'expert'; sites: string[]; skills?: string[] }[] = [
  { username: 'supervisor', displayName: '王主任', role: 'supervisor', sites: ['QP'] },
  { username: 'clerk1', displayName: '李晓红', role: 'clerk', sites: ['QP'] },
  { username: 'clerk2', displayName: '张伟', role: 'clerk', sites: ['QP'] },
  { username: 'clerk3', displayName: '陈静', role: 'clerk', sites: ['QP'] },
  { username: 'clerk-xhq', displayName: '刘洋', role: 'clerk', sites: ['QP-XHQ'] },
  { username: 'village1', displayName: '周阿姨', role: 'clerk', sites: ['QP-ZJJ-ZX'] },
  { username: 'expert1', displayName: '赵专家（社保医保）', role: 'expert', sites: ['QP'], skills: ['社保', '医保', '户籍'] },
  { username: 'expert2', displayName: '孙专家（不动产）', role: 'expert', sites: ['QP'], skills: ['不动产', '市场准入'] },
  { username: 'expert-xhq', displayName: '钱专家（西虹桥）', role: 'expert', sites: ['QP-XHQ'], skills: ['市场准入'] },
  { username: 'expert-wj', displayName: '吴江跨省专员', role: 'expert', sites: ['DELTA-WJ'], skills: ['跨省通办'] },
  { username: 'expert-js', displayName: '嘉善跨省专员', role: 'expert', sites: ['DELTA-JS'], skills: ['跨省通办'] },
];
