import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { CatalogStep, UnitLevel, UnitRole } from './catalog.types.js';

@Entity('unit')
export class UnitEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text', { unique: true }) code: string;
  @Column('text') name: string;
  @Column('text', { array: true, default: '{}' }) aliases: string[];
  @Column('uuid', { name: 'parent_id', nullable: true }) parentId: string | null;
  @Column('text') level: UnitLevel;
  @Column('text', { nullable: true }) role: UnitRole | null;
  @Column('text', { nullable: true }) email: string | null;
  @Column('boolean', { default: true }) active: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity('service_window')
export class ServiceWindowEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text', { unique: true }) code: string;
  @Column('uuid', { name: 'unit_id' }) unitId: string;
  @Column('text') name: string;
  @Column('text', { nullable: true }) location: string | null;
  @Column('boolean', { default: true }) active: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity('service_item')
export class ServiceItemEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text', { unique: true }) code: string;
  @Column('text') name: string;
  @Column('text', { array: true, default: '{}' }) aliases: string[];
  @Column('uuid', { name: 'unit_id' }) unitId: string;
  /** the approval chain in order; `unit` is a unit code */
  @Column('jsonb', { default: [] }) steps: CatalogStep[];
  @Column('boolean', { default: true }) active: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
