import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator, type HealthCheckResult, type HealthIndicatorResult } from '@nestjs/terminus';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators.js';
import { HUB_CONFIG, type HubConfig } from '../config/config.js';
import { ComponentStateService, type Component, type ComponentState } from './component-state.service.js';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly ds: DataSource,
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly states: ComponentStateService,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  /** 200 {"status":"ok"} when the database answers within 2 s, 503 otherwise. */
  @Get()
  @ApiOperation({ summary: 'The database answers within 2 s: 200 {"status":"ok"}, else 503 {"status":"unavailable"}' })
  async check(@Res({ passthrough: true }) res: Response): Promise<{ status: string }> {
    try {
      await Promise.race([
        this.ds.query('SELECT 1'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref()),
      ]);
      return { status: 'ok' };
    } catch {
      res.status(503);
      return { status: 'unavailable' };
    }
  }

  /** The process is up and answering HTTP (nothing outside it is asked): restart the copy when this fails. */
  @Get('live')
  @ApiOperation({ summary: 'Liveness: 200 {"status":"ok"} while the process answers; asks nothing outside it' })
  live(): { status: string } {
    return { status: 'ok' };
  }

  /**
   * Readiness: the database must answer (else 503); the mailbox's last poll and the SMTP server's last send are
   * reported, and a failing one makes the answer `degraded` (still 200: mail waits in the outbox and the mailbox is
   * polled again, so taking the copy out of service would not help).
   */
  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ summary: 'Readiness (terminus): database ping (503 when down); mailbox and SMTP last state (degraded, still 200, when failing)' })
  @ApiOkResponse({ description: '`{status: ok|degraded, info, error, details: {database, mailbox, smtp}}`' })
  @ApiServiceUnavailableResponse({ description: 'the database does not answer within 2 s' })
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    let states: Map<Component, ComponentState> | null = null;
    const stateOf = async (name: Component): Promise<ComponentState | undefined> => {
      states ??= await this.states.all();
      return states.get(name);
    };
    try {
      return await this.health.check([
        () => this.db.pingCheck('database', { connection: this.ds, timeout: 2000 }),
        async () => this.component('mailbox', this.config.imap !== null, await stateOf('mailbox').catch(() => undefined)),
        async () => this.component('smtp', this.config.smtp !== null, await stateOf('smtp').catch(() => undefined)),
      ]);
    } catch (e) {
      // terminus answers 503 with the whole report; keep that body rather than the API's error shape
      if (!(e instanceof ServiceUnavailableException)) throw e;
      res.status(503);
      return e.getResponse() as HealthCheckResult;
    }
  }

  private component(name: Component, configured: boolean, state: ComponentState | undefined): HealthIndicatorResult {
    const check = this.indicators.check(name);
    if (!configured) return check.up({ configured: false });
    if (!state) return check.up({ configured: true, lastCheckAt: null });
    const data = { configured: true, lastCheckAt: state.at.toISOString(), lastOkAt: state.lastOkAt?.toISOString() ?? null };
    return state.ok ? check.up(data) : check.degraded({ ...data, error: state.detail ?? 'failed' });
  }
}
