import type { Role } from './user.entity.js';

/** Who is acting: the signed-in user, or the system itself (jobs, channels). */
export interface Actor {
  id: string | null;
  username: string;
  role: Role | 'system' | 'public';
  unitId: string | null;
}

export const SYSTEM_ACTOR: Actor = { id: null, username: 'system', role: 'system', unitId: null };
export const PUBLIC_ACTOR: Actor = { id: null, username: 'public', role: 'public', unitId: null };

/** Roles that need to see a person's phone number in full; everyone else sees it masked. */
export function seesPersonalData(actor: Actor): boolean {
  return actor.role === 'admin' || actor.role === 'supervisor' || actor.role === 'system';
}
