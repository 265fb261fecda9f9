import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { RepeatsService } from './repeats.service.js';

export interface RepeatFigures {
  period: { from: string | null; to: string | null };
  /** 重复投诉率: repeats / distinct people (a person counted by their first key: phone, else mail, else case number) */
  repeats: { items: number; people: number; repeats: number; rate: number | null; afterClose: number };
  hotSpots: { count: number; items: number; itemsPerHotSpot: number | null; withProblem: number; hoursToProblem: { median: number | null; mean: number | null } };
}

/** The figures of issue 16 for a period of receipt (GET /api/reports/repeats). */
@Injectable()
export class RepeatFiguresService {
  constructor(
    private readonly ds: DataSource,
    private readonly repeats: RepeatsService,
  ) {}

  async figures(actor: Actor, from: Date | null, to: Date | null): Promise<RepeatFigures> {
    if (actor.role !== 'supervisor' && actor.role !== 'admin') throw new DomainError(ErrorCode.Forbidden, 'figures are for the office');
    const [r] = await this.ds.query(
      `SELECT count(*)::int AS items, count(DISTINCT person_keys[1])::int AS people,
         count(*) FILTER (WHERE lead_id IS NOT NULL)::int AS repeats,
         count(*) FILTER (WHERE lead_id IS NOT NULL AND (repeat_evidence->>'afterClose')::boolean)::int AS after_close
       FROM item WHERE person_keys <> '{}' AND ($1::timestamptz IS NULL OR received_at >= $1) AND ($2::timestamptz IS NULL OR received_at <= $2)`,
      [from, to],
    );
    const [h] = await this.ds.query(
      `WITH s AS (
         SELECT h.id, h.first_at, h.problem_at, (SELECT count(*) FROM hot_spot_item x WHERE x.hot_spot_id = h.id)::int AS n
         FROM hot_spot h WHERE ($1::timestamptz IS NULL OR h.last_at >= $1) AND ($2::timestamptz IS NULL OR h.first_at <= $2))
       SELECT count(*)::int AS count, coalesce(sum(n), 0)::int AS items, count(problem_at)::int AS with_problem,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM problem_at - first_at) / 3600) AS median_h,
         avg(extract(epoch FROM problem_at - first_at) / 3600) AS mean_h
       FROM s WHERE n >= $3`,
      [from, to, this.repeats.config.hotSpot.minItems],
    );
    const round = (x: unknown): number | null => (x === null || x === undefined ? null : Math.round(Number(x) * 10) / 10);
    return {
      period: { from: from?.toISOString() ?? null, to: to?.toISOString() ?? null },
      repeats: { items: r.items, people: r.people, repeats: r.repeats, rate: r.people ? Math.round((r.repeats / r.people) * 10_000) / 10_000 : null, afterClose: r.after_close },
      hotSpots: {
        count: h.count,
        items: h.items,
        itemsPerHotSpot: h.count ? Math.round((h.items / h.count) * 10) / 10 : null,
        withProblem: h.with_problem,
        hoursToProblem: { median: round(h.median_h), mean: round(h.mean_h) },
      },
    };
  }
}
