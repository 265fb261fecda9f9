
/** Plain Chinese names the console shows for stored codes (item statuses are named where items are). */
export { STATUS_NAMES } from '../items/item.types.js';

export const ROLE_NAMES: Record<string, string> = {
  admin: '系统管理员',
  supervisor: '管理办公室',
  operator: '录入员',
  unit_staff: '窗口单位',
};

export const EVENT_NAMES: Record<string, string> = {
  received: '收到',
  classified: '自动分类',
  routed: '自动分派',
  accepted: '签收',
  returned: '退回',
  answered: '答复',
  called_back: '回访',
  closed: '办结',
  reopened: '重新办理',
  reclassified: '更正分类',
  dispatched: '人工分派',
  extension_requested: '申请延期',
  extension_decided: '延期审批',
  appealed: '差评申诉',
  appeal_decided: '申诉复核',
  updated: '更新',
  ack_withheld: '未发送回执（超出发送上限）',
  case_number_shared: '办件编号与其他评价相同，待核对',
  case_number_repeated: '同一办件已有核实的评价，本次不计分',
  case_checked: '办件编号核对',
};

/** a QR rating's case number, as the office checks it (issue 13: a case number is a claim) */
export const CASE_CHECK_NAMES: Record<string, string> = {
  shared: '与其他评价相同，待核对',
  verified: '已核实',
  rejected: '未采信（评价不计分）',
};

export const EXTENSION_NAMES: Record<string, string> = {
  none: '未申请',
  requested: '已申请，待审批',
  approved: '已批准',
  refused: '未批准',
};

export const APPEAL_NAMES: Record<string, string> = {
  none: '未申诉',
  pending: '已申诉，待复核',
  upheld: '申诉成立（评价不计分）',
  rejected: '申诉不成立',
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The time left to a deadline in plain Chinese: 剩余3小时, 剩余2天5小时, 已超期40分钟 / 已超期2天.
 * Simple hours and days from the timestamps (the deadline itself was set in working days).
 */
export function timeLeft(due: Date | null, now: Date): { text: string; overdue: boolean } | null {
  if (!due) return null;
  const ms = due.getTime() - now.getTime();
  const abs = Math.abs(ms);
  let span: string;
  if (abs < HOUR) span = `${Math.max(1, Math.floor(abs / 60_000))}分钟`;
  else if (abs < DAY) span = `${Math.floor(abs / HOUR)}小时`;
  else {
    const days = Math.floor(abs / DAY);
    const hours = Math.floor((abs - days * DAY) / HOUR);
    span = ms >= 0 && hours > 0 ? `${days}天${hours}小时` : `${days}天`;
  }
  return ms >= 0 ? { text: `剩余${span}`, overdue: false } : { text: `已超期${span}`, overdue: true };
}

/** A timestamp as people in China read it: 2026-03-05 14:30. */
export { chinaTime as chinaDateTime } from '../common/china-time.js';

/** The first characters of a text, for lists. */
export function excerpt(text: string, max = 40): string {
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : chars.join('');
}
