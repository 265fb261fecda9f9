import type { QrWindowRow } from '../intake/qr/qr-codes.service.js';
import { escapeHtml } from '../web/html.js';

const e = escapeHtml;

/** Strings of the QR code screens. */
export const T_QR = {
  title: '评价二维码',
  intro: '每个窗口一个评价二维码，打印后贴在窗口台面。选择单位查看其窗口（含下级单位）的二维码，并可打印A4张贴页。',
  units: '单位',
  unitCols: { unit: '单位', windows: '窗口数' },
  noWindows: '组织目录中还没有窗口。',
  chooseUnit: '选择单位',
  show: '查看',
  windowsOf: (unit: string) => `${unit}的窗口二维码`,
  none: '该单位及其下级单位没有在用的窗口。',
  print: '打印本单位二维码（A4）',
  code: '窗口编号',
  location: '位置',
  unit: '所属单位',
  preview: (name: string) => `${name}的评价二维码`,
  revoke: '作废并重新生成',
  revokedDone: '原二维码已作废，已生成新的二维码。请打印新码替换窗口上张贴的旧码。',
  confirmTitle: (name: string) => `作废二维码：${name}`,
  confirmBody: '作废后，这个窗口已经打印张贴的二维码将立即失效，群众扫码会看到“此二维码已失效”。系统会生成新的二维码，需要重新打印张贴。',
  confirmButton: '确认作废',
  cancel: '取消，返回',
  back: '返回二维码管理',
};

export const QR_CSS = `<style>
.qr-grid{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:14px;list-style:none;margin:0;padding:0}
.qr-grid li{margin:0;text-align:center}
.qr-grid img{width:148px;height:148px;display:block;margin:4px auto 8px;background:#fff}
.qr-grid h3{font-size:17px;margin:0 0 4px}
.qr-grid p{margin:2px 0}
.qr-layout{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,3fr);gap:16px;align-items:start}
.qr-layout table td,.qr-layout table th{padding:6px 8px}
.qr-layout a[aria-current=page]{font-weight:700;color:#1a1a1a;text-decoration:none;border-left:4px solid #0b4a8f;padding-left:6px}
.confirm dl.facts{margin:0 0 12px}
a.button{display:inline-block;font-weight:700;min-height:38px;padding:6px 18px;border-radius:6px;border:1px solid #0b4a8f;background:#0b4a8f;color:#fff;text-decoration:none}
a.button.danger{background:#fff;color:#a4001a;border-color:#a4001a}
a.button.small{min-height:32px;padding:3px 12px;font-size:14px}
</style>`;

export interface QrUnitLine {
  code: string;
  name: string;
  depth: number;
  windows: number;
}

export function qrBody(o: { units: QrUnitLine[]; selected: { code: string; name: string } | null; windows: QrWindowRow[]; flash?: string }): string {
  const flash = o.flash ? `<div class="msg ok" role="status">${e(o.flash)}</div>` : '';
  const unitRows = o.units
    .map((u) => {
      const current = o.selected?.code === u.code ? ' aria-current="page"' : '';
      const pad = u.depth ? ` style="padding-left:${8 + u.depth * 14}px"` : '';
      return `<tr><td${pad}><a href="/console/qr?unit=${encodeURIComponent(u.code)}"${current}>${e(u.name)}</a></td><td>${u.windows}</td></tr>`;
    })
    .join('');
  const unitTable = o.units.length
    ? `<table><caption class="sr">${T_QR.units}</caption><thead><tr><th scope="col">${T_QR.unitCols.unit}</th><th scope="col">${T_QR.unitCols.windows}</th></tr></thead><tbody>${unitRows}</tbody></table>`
    : `<p class="empty">${T_QR.noWindows}</p>`;
  let detail = `<p class="empty">${T_QR.chooseUnit}。</p>`;
  if (o.selected) {
    const sel = o.selected;
    const cards = o.windows
      .map(
        (w) =>
          `<li class="card"><h3>${e(w.name)}</h3><img src="/console/qr/windows/${encodeURIComponent(w.code)}/qr.svg" alt="${e(T_QR.preview(w.name))}"><p>${T_QR.code} ${e(w.code)}</p>${w.location ? `<p class="hint">${e(w.location)}</p>` : ''}<p class="hint">${e(w.unitName)}</p><p><a class="button danger small" href="/console/qr/windows/${encodeURIComponent(w.code)}/revoke" aria-label="${e(`${T_QR.revoke}：${w.name}`)}">${T_QR.revoke}</a></p></li>`,
      )
      .join('');
    detail = `<h2 id="h-windows">${e(T_QR.windowsOf(sel.name))}（${o.windows.length}）</h2>
${o.windows.length ? `<p><a class="button" href="/console/qr/units/${encodeURIComponent(sel.code)}/sheet">${T_QR.print}</a></p><ul class="qr-grid" aria-labelledby="h-windows">${cards}</ul>` : `<p class="empty">${T_QR.none}</p>`}`;
  }
  return `${QR_CSS}<h1>${T_QR.title}</h1>${flash}<p>${T_QR.intro}</p><div class="qr-layout"><section class="card" aria-labelledby="h-units"><h2 id="h-units">${T_QR.units}</h2>${unitTable}</section><section class="card" aria-label="${T_QR.title}">${detail}</section></div>`;
}

export function revokeConfirmBody(o: { window: { code: string; name: string; location: string | null; unitName: string }; csrf: string; back: string }): string {
  const w = o.window;
  return `${QR_CSS}<h1>${e(T_QR.confirmTitle(w.name))}</h1><div class="card confirm"><dl class="facts"><dt>${T_QR.code}</dt><dd>${e(w.code)}</dd>${w.location ? `<dt>${T_QR.location}</dt><dd>${e(w.location)}</dd>` : ''}<dt>${T_QR.unit}</dt><dd>${e(w.unitName)}</dd></dl>
<p class="msg err" id="revoke-warning">${T_QR.confirmBody}</p>
<form method="post" action="/console/qr/windows/${encodeURIComponent(w.code)}/revoke" aria-describedby="revoke-warning"><input type="hidden" name="_csrf" value="${e(o.csrf)}"><button type="submit" class="danger">${T_QR.confirmButton}</button> <a href="${e(o.back)}">${T_QR.cancel}</a></form></div>`;
}
