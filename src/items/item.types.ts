import type { DimensionCode, ItemStatus } from './item.entity.js';

export const CHANNELS = ['qr', 'hotline', 'email', 'suggestion_box', 'phone', 'walkthrough'] as const;
export type Channel = (typeof CHANNELS)[number];

/** What people call each status, on pages, in exported lists and in results sent back to the 12345 system. */
export const STATUS_NAMES: Record<ItemStatus, string> = {
  new: '待分派',
  assigned: '待签收',
  accepted: '办理中',
  answered: '已答复',
  closed: '已办结',
  returned: '已退回',
  reopened: '重新办理',
};

/** What people call each channel, in notices and on pages. */
export const CHANNEL_NAMES: Record<Channel, string> = {
  qr: '扫码评价',
  hotline: '12345热线',
  email: '邮件',
  suggestion_box: '意见箱',
  phone: '投诉电话',
  walkthrough: '走流程体验',
};

export interface EvidenceEntry {
  kind: string;
  text: string;
  dimension?: string;
  weight?: number;
  /** for routing evidence: the unit it points at (a candidate shown to the dispatcher) */
  unit?: string;
}

export interface Contact {
  name: string | null;
  phone: string | null;
  email: string | null;
}

export interface TimelineEntry {
  at: string;
  actor: string;
  kind: string;
  data: Record<string, unknown>;
}

/** The item as the API shows it (CONTRACT.md); `timeline` only on the single-item answer. */
export interface ItemView {
  id: number;
  channel: Channel;
  externalId: string;
  receivedAt: string;
  createdAt: string;
  subject: string | null;
  text: string;
  rating: number | null;
  tags: string[];
  appealType: string | null;
  source: string | null;
  caseNo: string | null;
  window: string | null;
  serviceItem: string | null;
  contact: Contact;
  dimension: DimensionCode | null;
  secondary: string[];
  misconduct: boolean;
  confidence: number | null;
  evidence: EvidenceEntry[];
  unit: string;
  unitName: string;
  supervisionUnit: string | null;
  routingReason: string;
  routingRule: string;
  status: ItemStatus;
  acceptDueAt: string | null;
  answerDueAt: string | null;
  closedAt: string | null;
  callbackDueAt: string | null;
  rectifyDueAt: string | null;
  extension: { state: string; days: number | null };
  appeal: string;
  answer: string | null;
  answeredAt: string | null;
  callbackSatisfied: boolean | null;
  /** false once an appeal was upheld: the rating no longer counts (it is never deleted) */
  ratingValid: boolean;
  /**
   * QR ratings only: null, or 'shared' when another rating at the same window gave the same case number (both kept,
   * both counted, for the office to check), 'verified' / 'rejected' once the office decided (a rejected rating no
   * longer counts: one rating per service act)
   */
  caseCheck: 'shared' | 'verified' | 'rejected' | null;
  returnReason: string | null;
  trackingCode: string;
  /** a repeat of the same person's earlier item (issue 16): the lead's id; it has no deadlines of its own */
  leadId: number | null;
  raw?: unknown;
  timeline?: TimelineEntry[];
}
