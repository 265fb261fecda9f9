import type { AssessAnswer } from '../classification/thread/assess-types.js';
import type { Actor } from '../auth/actor.js';
import type { DimensionCode } from '../items/item.entity.js';
import type { Channel, Contact, EvidenceEntry } from '../items/item.types.js';
import type { CatalogSnapshot } from '../org/catalog.cache.js';

/** What every channel hands to intake: normalised, with the raw input kept as received. */
export interface IntakeDraft {
  channel: Channel;
  /** the channel's own id (工单编号, Message-ID, form nonce…); intake is idempotent on (channel, externalId) */
  externalId: string;
  /** when the person raised it, on the channel's own clock (来电时间, the mail's date…) */
  receivedAt: Date;
  subject?: string | null;
  text: string;
  rating?: number | null;
  tags?: string[];
  appealType?: string | null;
  source?: string | null;
  caseNo?: string | null;
  /** window code (QR scan, staff entry) */
  window?: string | null;
  /** service item code when the channel knows it */
  serviceItem?: string | null;
  /** the unit someone upstream already assigned (the hotline's 承办单位), as written */
  assignedUnit?: string | null;
  contact?: Partial<Contact>;
  raw: unknown;
}

export interface Assessment {
  dimension: DimensionCode | null;
  secondary: string[];
  misconduct: boolean;
  confidence: number | null;
  evidence: EvidenceEntry[];
  unit: string;
  supervisionUnit: string | null;
  routingReason: string;
  routingRule: string;
  serviceItem: string | null;
}

/**
 * Classifies and routes a draft inside the intake transaction. Bound to the classification+routing implementation;
 * the spine's fallback sends everything to the triage unit.
 */
export abstract class ItemAssessor {
  abstract assess(draft: IntakeDraft, catalog: CatalogSnapshot): Assessment | Promise<Assessment>;
  /**
   * Many drafts at once, in order, each assessed or with what made it fail; with the matter columns for repeats when
   * the assessor computed them. Optional: intake assesses one by one without it.
   */
  assessMany?(drafts: IntakeDraft[], catalog: CatalogSnapshot): Promise<AssessAnswer[]>;
}

export interface IntakeResult {
  id: number;
  created: boolean;
  trackingCode: string;
  /** false when an admission limit refused it: nothing was stored */
  admitted: boolean;
}

export type { Actor };
