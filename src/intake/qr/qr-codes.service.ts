import { Injectable } from '@nestjs/common';
import QRCode from 'qrcode';
import { DataSource } from 'typeorm';
import { notFound } from '../../common/domain-error.js';
import { CatalogCache } from '../../org/catalog.cache.js';
import { escapeHtml } from '../../web/html.js';
import { QrRatingService } from './qr-rating.service.js';

export interface QrWindowRow {
  code: string;
  name: string;
  location: string | null;
  qrVersion: number;
  unitCode: string;
  unitName: string;
}

/**
 * The windows' QR codes as the office handles them: the signed link and its image, revocation, and the printable A4
 * sheet of a unit. Shared by the API (bearer tokens) and the console (cookie sessions), which check access themselves.
 */
@Injectable()
export class QrCodesService {
  constructor(
    private readonly ds: DataSource,
    private readonly qr: QrRatingService,
    private readonly catalog: CatalogCache,
  ) {}

  /** The signed link of an active window (404 for an unknown or inactive one). */
  async link(code: string): Promise<{ url: string; token: string }> {
    const [w] = await this.ds.query(`SELECT code, qr_version FROM service_window WHERE code = $1 AND active`, [code]);
    if (!w) throw notFound('window');
    return this.qr.tokenFor(w.code, w.qr_version);
  }

  async svg(code: string, margin = 2): Promise<string> {
    const { url } = await this.link(code);
    return QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin });
  }

  async png(code: string): Promise<Buffer> {
    const { url } = await this.link(code);
    return QRCode.toBuffer(url, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 10 });
  }

  /** Bumps the window's key version: every printed copy of the old code stops working. */
  async revoke(code: string): Promise<{ url: string; token: string }> {
    const [row] = await this.ds.query(
      `UPDATE service_window SET qr_version = qr_version + 1, updated_at = now() WHERE code = $1 RETURNING code, qr_version`,
      [code],
    );
    if (!row?.[0]) throw notFound('window');
    await this.catalog.invalidate(); // this copy at once; the others within seconds
    return this.qr.tokenFor(row[0].code, row[0].qr_version);
  }

  /** Every active window of the unit and of the units below it, by code. */
  async windowsOf(unitCode: string): Promise<QrWindowRow[]> {
    const rows: { code: string; name: string; location: string | null; qr_version: number; unit_code: string; unit_name: string }[] = await this.ds.query(
      `WITH RECURSIVE scope(id) AS (SELECT id FROM unit WHERE code = $1 UNION SELECT u.id FROM unit u JOIN scope s ON u.parent_id = s.id)
       SELECT w.code, w.name, w.location, w.qr_version, u.code AS unit_code, u.name AS unit_name
       FROM service_window w JOIN unit u ON u.id = w.unit_id
       WHERE w.active AND w.unit_id IN (SELECT id FROM scope) ORDER BY w.code`,
      [unitCode],
    );
    return rows.map((r) => ({ code: r.code, name: r.name, location: r.location, qrVersion: r.qr_version, unitCode: r.unit_code, unitName: r.unit_name }));
  }

  /**
   * The A4 sheet of a unit: one card a window. With `print` (the console), a screen-only bar with a print button whose
   * script runs under the given nonce; the API's sheet has no script.
   */
  async sheetHtml(unitCode: string, print?: { nonce: string; back: string }): Promise<string> {
    const [unit] = await this.ds.query(`SELECT name FROM unit WHERE code = $1`, [unitCode]);
    if (!unit) throw notFound('unit');
    const windows = await this.windowsOf(unitCode);
    const cards = await Promise.all(
      windows.map(async (w) => {
        const { url } = this.qr.tokenFor(w.code, w.qrVersion);
        const svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
        return `<section class="card"><div class="qr">${svg}</div><h2>扫码评价</h2><p class="slogan">您的评价是我们改进的动力</p>
<p class="win">${escapeHtml(w.name)}</p><p class="meta">窗口编号 ${escapeHtml(w.code)}${w.location ? ` · ${escapeHtml(w.location)}` : ''}</p><p class="meta">${escapeHtml(w.unitName)}</p></section>`;
      }),
    );
    const bar = print
      ? `<div class="bar"><button type="button" id="print">打印本页</button> <a href="${escapeHtml(print.back)}">返回二维码管理</a></div><script nonce="${escapeHtml(print.nonce)}">document.getElementById('print').addEventListener('click',function(){window.print()});</script>`
      : '';
    return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(unit.name)} · 评价二维码</title><style>
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
.bar{margin:0 0 6mm;font-size:12pt}
.bar button{font:inherit;font-weight:bold;padding:2mm 5mm;border:1px solid #0b4a8f;background:#0b4a8f;color:#fff;border-radius:1.5mm;cursor:pointer}
.bar a{color:#0b4a8f;margin-left:4mm}
.bar button:focus,.bar a:focus{outline:3px solid #e08a00;outline-offset:2px}
@media screen{body{padding:10mm;max-width:190mm}}
@media print{.bar{display:none}}
</style></head><body>${bar}<header>${escapeHtml(unit.name)} · 窗口评价二维码（共${windows.length}个）</header><div class="grid">${cards.join('')}</div></body></html>`;
  }
}
