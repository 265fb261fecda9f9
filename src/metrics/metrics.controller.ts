import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Public } from '../auth/auth.decorators.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { HUB_CONFIG, type HubConfig } from '../config/config.js';
import { MetricsService } from './metrics.service.js';

@ApiTags('health')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  /** Not a user's token: the scraper's own (HUB_METRICS_TOKEN), or none when it is unset. */
  @Public()
  @Get()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Prometheus metrics (text format); needs `Authorization: Bearer $HUB_METRICS_TOKEN` when that is set' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'hub_http_request_duration_seconds, hub_items_received_total, hub_items, hub_items_overdue, hub_outbox_messages, …' })
  @ApiUnauthorizedResponse({ description: 'HUB_METRICS_TOKEN is set and the request does not carry it' })
  async scrape(@Req() req: Request, @Res() res: Response): Promise<void> {
    const token = this.config.metricsToken;
    if (token !== null && !sameSecret(/^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '', token)) {
      throw new DomainError(ErrorCode.Unauthenticated, 'the metrics need the scraper token (Authorization: Bearer $HUB_METRICS_TOKEN)');
    }
    const body = await this.metrics.scrape();
    res.setHeader('Content-Type', this.metrics.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(body);
  }
}

function sameSecret(given: string, expected: string): boolean {
  // compare digests: equal lengths, and no early exit that would tell how much of the token was right
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
