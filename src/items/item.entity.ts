import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const ITEM_STATUSES = ['new', 'assigned', 'accepted', 'answered', 'closed', 'returned', 'reopened'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export const DIMENSIONS = ['D1', 'D2', 'D3', 'D4', 'D5', 'none'] as const;
export type DimensionCode = (typeof DIMENSIONS)[number];

/** Timeline entry: every change to an item, with who and when. Written only by the services, never updated. */
@Entity('item_event')
export class ItemEventEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) id: string;
  @Column('bigint', { name: 'item_id' }) itemId: string;
  // eslint-disable-next-line no-restricted-syntax -- a fallback column default only: the hub always writes the event time from its clock
  @Column('timestamptz', { default: () => 'now()' }) at: Date;
  @Column('uuid', { name: 'actor_id', nullable: true }) actorId: string | null;
  @Column('text') actor: string;
  @Column('text') kind: string;
  @Column('jsonb', { default: {} }) data: Record<string, unknown>;
}
