/** Everything a person typed goes through here before it reaches a page. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Control characters other than tab and newline have no place in a comment. */
export function stripControl(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, '');
}

/**
 * Base styles for the citizen pages: large type (≥ 18 px), high contrast, 48 px+ targets, one column for 360 px
 * phones. Inline, because halls are often on an intranet and the page must arrive in one response.
 */
export const CITIZEN_CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:20px/1.6 system-ui,"PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;color:#111;background:#f4f6f8}
main{max-width:40rem;margin:0 auto;padding:16px}
h1{font-size:26px;line-height:1.3;margin:8px 0 4px}
.where{margin:0 0 16px;color:#222}
fieldset{border:2px solid #1b4f8a;border-radius:10px;margin:0 0 18px;padding:10px 12px;background:#fff}
legend{font-weight:700;padding:0 6px;font-size:21px}
.opt{display:flex;align-items:center;gap:12px;min-height:56px;padding:6px 10px;margin:6px 0;border:2px solid #8a99ab;border-radius:8px;background:#fff;cursor:pointer}
.opt input{width:28px;height:28px;flex:none;margin:0;accent-color:#1b4f8a}
.opt:focus-within{outline:3px solid #f0a000;outline-offset:2px}
label.field{display:block;font-weight:700;margin:14px 0 6px}
textarea,input[type=text],input[type=tel]{width:100%;font:inherit;padding:12px;border:2px solid #556;border-radius:8px;background:#fff;color:#111;min-height:56px}
textarea{min-height:120px}
.hint{font-size:18px;color:#333;margin:4px 0 0}
button{display:block;width:100%;min-height:60px;margin:20px 0 8px;font:inherit;font-weight:700;font-size:22px;color:#fff;background:#1b4f8a;border:0;border-radius:10px;cursor:pointer}
button:focus{outline:3px solid #f0a000;outline-offset:2px}
.err{border:2px solid #b00020;background:#fff0f1;color:#7a0014;border-radius:8px;padding:10px 12px;margin:0 0 16px}
.ok{border:2px solid #1d6b33;background:#eefaf1;border-radius:10px;padding:14px;margin:0 0 16px}
.code{white-space:nowrap;font:700 28px/1.3 ui-monospace,Menlo,Consolas,monospace;letter-spacing:2px;word-break:break-all}
a{color:#0b3d91}
a.btn{display:flex;align-items:center;justify-content:center;min-height:56px;border:2px solid #1b4f8a;border-radius:10px;text-decoration:none;font-weight:700;margin:12px 0}
ol.steps{padding-left:0;list-style:none}
ol.steps li{border-left:4px solid #8a99ab;padding:6px 12px;margin:0 0 10px;background:#fff}
ol.steps li.done{border-left-color:#1d6b33}
.answer{background:#fff;border:2px solid #556;border-radius:8px;padding:12px;white-space:pre-wrap}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
`;

export function page(opts: { title: string; body: string; scriptNonce?: string; script?: string }): string {
  const script = opts.script && opts.scriptNonce ? `<script nonce="${opts.scriptNonce}">${opts.script}</script>` : '';
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="same-origin"><title>${escapeHtml(opts.title)}</title><style>${CITIZEN_CSS}</style></head><body><main>${opts.body}</main>${script}</body></html>`;
}

/** Every page we render: no external resources, no framing, forms post only to us; scripts only with the nonce. */
export function pageCsp(scriptNonce?: string): string {
  return [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    scriptNonce ? `script-src 'nonce-${scriptNonce}'` : "script-src 'none'",
    // pages with script may ask their own origin for progress (the console's upload); nothing else
    ...(scriptNonce ? ["connect-src 'self'"] : []),
    "img-src 'self' data:",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
