import type { ItemStatus } from '../items/item.entity.js';

/**
 * Where a new item starts. Praise and good ratings without a problem close by themselves (they are counted, not
 * handled); everything else waits in the responsible unit's queue.
 */
export function initialStatus(i: {
  channel: string;
  /** no rule could route it: it waits at the triage unit for a person to dispatch it (DESIGN: new → assigned) */
  atTriage?: boolean;
  rating?: number | null;
  tags?: string[] | null;
  dimension: string | null;
  misconduct: boolean;
  appealType?: string | null;
  /** an advert, spam or a test: kept and counted with the office, never in a unit's queue */
  junk?: boolean;
}): ItemStatus {
  if (i.junk && !i.misconduct && !i.tags?.length) return 'closed';
  const queued: ItemStatus = i.atTriage ? 'new' : 'assigned';
  if (i.misconduct) return queued;
  const noProblem = !i.tags?.length && (i.dimension === 'none' || i.dimension === null);
  if (typeof i.rating === 'number') {
    if (i.rating <= 2) return queued; // a bad review must be handled
    return noProblem ? 'closed' : queued;
  }
  if (i.appealType && /表扬|感谢/.test(i.appealType) && i.dimension !== null && i.dimension === 'none') return 'closed';
  return queued;
}
