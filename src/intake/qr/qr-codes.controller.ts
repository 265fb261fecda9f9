import { Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import QRCode from 'qrcode';
import { DataSource } from 'typeorm';
import { Roles } from '../../auth/auth.decorators.js';
import { DomainError, ErrorCode, notFound } from '../../common/domain-error.js';
import { escapeHtml } from '../../web/html.js';
import { CatalogCache } from '../../org/catalog.cache.js';
import { QrRatingService } from './qr-rating.service.js';

/** QR codes for the windows: the signed URL, its image, revocation, and a printable A4 sheet per unit. */
@ApiTags('qr')
@ApiBearerAuth()
@Roles('admin', 'supervisor')
@Controller('api')
export class QrCodesController {
  constructor(
    private readonly ds: DataSource,
    private readonly qr: QrRatingService,
    private readonly catalog: CatalogCache,
  ) {}

  @Get('windows/:code/qr')
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'svg', 'png'] })
  async get(@Param('code') code: string, @Query('format') format: string | undefined, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    const w = await this.window(code);
    const link = this.qr.tokenFor(w.code, w.qr_version);
    if (!format || format === 'json') return link;
    if (format === 'svg') {
      res.type('image/svg+xml');
      return QRCode.toString(link.url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    }
    if (format === 'png') {
      const png = await QRCode.toBuffer(link.url, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 10 });
      res.setHeader('Content-Type', 'image/png');
      res.end(png);
      return undefined;
    }
    throw new DomainError(ErrorCode.ValidationFailed, 'format: json, svg or png');
  }

  /** Bumps the window's key version: every printed copy of the old code stops working. */
  @Post('windows/:code/qr/revoke')
  @HttpCode(200)
  async revoke(@Param('code') code: string): Promise<{ url: string; token: string }> {
    const [row] = await this.ds.query(
      `UPDATE service_window SET qr_version = qr_version + 1, updated_at = now() WHERE code = $1 RETURNING code, qr_version`,
      [code],
    );
    if (!row?.[0]) throw notFound('window');
    await this.catalog.invalidate(); // this copy at once; the others within seconds
    return this.qr.tokenFor(row[0].code, row[0].qr_version);
  }

  /** Every active window of the unit (and the units below it), one card each, for A4. */
  @Get('units/:code/qr-sheet')
  async sheet(@Param('code') code: string, @Res() res: Response): Promise<void> {
    const windows: { code: string; name: string; location: string | null; qr_version: number; unit_name: string }[] = await this.ds.query(
      `WITH RECURSIVE scope(id) AS (SELECT id FROM unit WHERE code = $1 UNION SELECT u.id FROM unit u JOIN scope s ON u.parent_id = s.id)
       SELECT w.code, w.name, w.location, w.qr_version, u.name AS unit_name
       FROM service_window w JOIN unit u ON u.id = w.unit_id
       WHERE w.active AND w.unit_id IN (SELECT id FROM scope) ORDER BY w.code`,
      [code],
    );
    const [unit] = await this.ds.query(`SELECT name FROM unit WHERE code = $1`, [code]);
    if (!unit) throw notFound('unit');
    const cards = await Promise.all(
      windows.map(async (w) => {
        const { url } = this.qr.tokenFor(w.code, w.qr_version);
        const svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
        return `<section class="card"><div class="qr">${svg}</div><h2>扫码评价</h2><p class="slogan">您的评价是我们改进的动力</p>
<p class="win">${escapeHtml(w.name)}</p><p class="meta">窗口编号 ${escapeHtml(w.code)}${w.location ? ` · ${escapeHtml(w.location)}` : ''}</p><p class="meta">${escapeHtml(w.unit_name)}</p></section>`;
      }),
    );
    const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(unit.name)} · 评价二维码</title><style>
@page{size:A4;margin:12mm}
body{margin:0;font-family:"WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;color:#000}
header{font-size:14pt;margin:0 0 6mm}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:8mm}
.card{border:1.5pt solid #1b4f8a;border-radius:4mm;padding:6mm;text-align:center;break-inside:avoid;page-break-inside:avoid}
.qr svg{width:55mm;height:55mm}
h2{font-size:22pt;margin:2mm 0 1mm;color:#1b4f8a}
.slogan{font-size:12pt;margin:0 0 3mm}
.win{font-size:15pt;font-weight:bold;margin:0}
.meta{font-size:10pt;margin:1mm 0 0;color:#333}
@media screen{body{padding:10mm;max-width:190mm}}
</style></head><body><header>${escapeHtml(unit.name)} · 窗口评价二维码（共${windows.length}个）</header><div class="grid">${cards.join('')}</div></body></html>`;
    res.status(200).type('text/html; charset=utf-8').send(html);
  }

  private async window(code: string): Promise<{ code: string; qr_version: number }> {
    const [w] = await this.ds.query(`SELECT code, qr_version FROM service_window WHERE code = $1 AND active`, [code]);
    if (!w) throw notFound('window');
    return w;
  }
}
