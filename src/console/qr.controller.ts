import { Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import { Public } from '../auth/auth.decorators.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { QrCodesService } from '../intake/qr/qr-codes.service.js';
import { CatalogCache, type CatalogSnapshot } from '../org/catalog.cache.js';
import { ConsoleErrorFilter } from './console-error.filter.js';
import { ConsolePages, fields } from './console-pages.js';
import { sendPage } from './layout.js';
import { qrBody, revokeConfirmBody, T_QR, type QrUnitLine } from './qr.page.js';

const WINDOW_CODE = /^[^/\\\s]{1,64}$/;

/**
 * Console: 二维码 — per unit, its windows' codes with a preview, the printable A4 sheet, and revoking a window's code
 * (after a confirmation page). The office only, as in the API.
 */
@ApiExcludeController()
@Public()
@UseFilters(ConsoleErrorFilter)
@Controller('console')
export class ConsoleQrController {
  constructor(
    private readonly pages: ConsolePages,
    private readonly codes: QrCodesService,
    private readonly catalog: CatalogCache,
  ) {}

  @Get('qr')
  async list(@Req() req: Request, @Res() res: Response, @Query('unit') unit?: string, @Query('done') done?: string): Promise<void> {
    const s = await this.pages.office(req, res);
    if (!s) return;
    const snap = await this.catalog.get();
    const lines = unitLines(snap);
    const found = unit ? snap.catalog.units.find((u) => u.code === unit) : undefined;
    if (unit && !found) return this.pages.notFound(res, s, 'unit');
    const selected = found ? { code: found.code, name: found.name } : null;
    const windows = selected ? await this.codes.windowsOf(selected.code) : [];
    const body = qrBody({ units: lines, selected, windows, flash: done === 'revoked' ? T_QR.revokedDone : undefined });
    await this.pages.send(res, 200, s, { title: selected ? T_QR.windowsOf(selected.name) : T_QR.title, body, active: 'qr' });
  }

  /** The preview: the same image the API gives, behind the console session. */
  @Get('qr/windows/:code/qr.svg')
  async image(@Req() req: Request, @Res() res: Response, @Param('code') code: string): Promise<void> {
    const s = await this.pages.office(req, res);
    if (!s) return;
    if (!WINDOW_CODE.test(code)) return this.pages.notFound(res, s, 'unit');
    const svg = await this.codes.svg(code);
    res.status(200).set({ 'Content-Type': 'image/svg+xml', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'none'" }).send(svg);
  }

  /** The unit's A4 sheet, with a print button (screen only) and a way back. */
  @Get('qr/units/:code/sheet')
  async sheet(@Req() req: Request, @Res() res: Response, @Param('code') code: string): Promise<void> {
    const s = await this.pages.office(req, res);
    if (!s) return;
    const snap = await this.catalog.get();
    if (!snap.catalog.units.some((u) => u.code === code)) return this.pages.notFound(res, s, 'unit');
    const nonce = randomBytes(12).toString('base64');
    const html = await this.codes.sheetHtml(code, { nonce, back: `/console/qr?unit=${encodeURIComponent(code)}` });
    sendPage(res, 200, html, nonce);
  }

  @Get('qr/windows/:code/revoke')
  async confirmRevoke(@Req() req: Request, @Res() res: Response, @Param('code') code: string): Promise<void> {
    const s = await this.pages.office(req, res);
    if (!s) return;
    const w = await this.window(code);
    if (!w) return this.pages.notFound(res, s, 'unit');
    const body = revokeConfirmBody({ window: w, csrf: s.csrf, back: `/console/qr?unit=${encodeURIComponent(w.unit)}` });
    await this.pages.send(res, 200, s, { title: T_QR.confirmTitle(w.name), body, active: 'qr' });
  }

  @Post('qr/windows/:code/revoke')
  async revoke(@Req() req: Request, @Res() res: Response, @Param('code') code: string, @Body() body: unknown): Promise<void> {
    const s = await this.pages.office(req, res);
    if (!s) return;
    if (!(await this.pages.csrfOk(req, res, s, fields(body)._csrf))) return;
    const w = await this.window(code);
    if (!w) return this.pages.notFound(res, s, 'unit');
    try {
      await this.codes.revoke(w.code);
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCode.NotFound) return this.pages.notFound(res, s, 'unit');
      throw err;
    }
    res.redirect(303, `/console/qr?unit=${encodeURIComponent(w.unit)}&done=revoked`);
  }

  private async window(code: string): Promise<{ code: string; name: string; location: string | null; unit: string; unitName: string } | null> {
    if (!WINDOW_CODE.test(code)) return null;
    const snap = await this.catalog.get();
    const w = snap.catalog.windows.find((x) => x.code === code);
    if (!w) return null;
    const unitName = snap.catalog.units.find((u) => u.code === w.unit)?.name ?? w.unit;
    return { ...w, unitName };
  }
}

/** The units in catalogue order as a tree (parents first), each with the windows of it and the units below it. */
function unitLines(snap: CatalogSnapshot): QrUnitLine[] {
  const units = snap.catalog.units;
  const children = new Map<string | null, typeof units>();
  const codes = new Set(units.map((u) => u.code));
  for (const u of units) {
    const p = u.parent && codes.has(u.parent) ? u.parent : null;
    children.set(p, [...(children.get(p) ?? []), u]);
  }
  const own = new Map<string, number>();
  for (const w of snap.catalog.windows) own.set(w.unit, (own.get(w.unit) ?? 0) + 1);
  const out: QrUnitLine[] = [];
  const walk = (parent: string | null, depth: number, seen: Set<string>): number => {
    let sum = 0;
    for (const u of children.get(parent) ?? []) {
      if (seen.has(u.code)) continue;
      seen.add(u.code);
      const line: QrUnitLine = { code: u.code, name: u.name, depth, windows: 0 };
      out.push(line);
      line.windows = (own.get(u.code) ?? 0) + walk(u.code, depth + 1, seen);
      sum += line.windows;
    }
    return sum;
  };
  walk(null, 0, new Set());
  // only units with a window somewhere below them are worth a line
  return out.filter((l) => l.windows > 0);
}
