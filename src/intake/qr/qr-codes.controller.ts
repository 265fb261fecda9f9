import { Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Roles } from '../../auth/auth.decorators.js';
import { DomainError, ErrorCode } from '../../common/domain-error.js';
import { QrCodesService } from './qr-codes.service.js';

/** QR codes for the windows: the signed URL, its image, revocation, and a printable A4 sheet per unit. */
@ApiTags('qr')
@ApiBearerAuth()
@Roles('admin', 'supervisor')
@Controller('api')
export class QrCodesController {
  constructor(private readonly codes: QrCodesService) {}

  @Get('windows/:code/qr')
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'svg', 'png'] })
  async get(@Param('code') code: string, @Query('format') format: string | undefined, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    if (!format || format === 'json') return this.codes.link(code);
    if (format === 'svg') {
      const svg = await this.codes.svg(code);
      res.type('image/svg+xml');
      return svg;
    }
    if (format === 'png') {
      const png = await this.codes.png(code);
      res.setHeader('Content-Type', 'image/png');
      res.end(png);
      return undefined;
    }
    await this.codes.link(code); // an unknown window is a 404 whatever the format
    throw new DomainError(ErrorCode.ValidationFailed, 'format: json, svg or png');
  }

  /** Bumps the window's key version: every printed copy of the old code stops working. */
  @Post('windows/:code/qr/revoke')
  @HttpCode(200)
  revoke(@Param('code') code: string): Promise<{ url: string; token: string }> {
    return this.codes.revoke(code);
  }

  /** Every active window of the unit (and the units below it), one card each, for A4. */
  @Get('units/:code/qr-sheet')
  async sheet(@Param('code') code: string, @Res() res: Response): Promise<void> {
    const html = await this.codes.sheetHtml(code);
    res.status(200).type('text/html; charset=utf-8').send(html);
  }
}
