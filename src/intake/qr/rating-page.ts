import { QR_PROBLEM_TAGS } from '../../classification/qr-tags.js';
import { DIMENSION_NAMES } from '../../classification/dimensions.js';
import { escapeHtml, page } from '../../web/html.js';

/** Chinese strings of the citizen rating pages, in one place. */
export const T = {
  title: '服务评价',
  heading: '请为本次服务评价',
  ratingLegend: '您对本次服务满意吗？',
  levels: { 5: '非常满意', 4: '满意', 3: '基本满意', 2: '不满意', 1: '非常不满意' } as Record<number, string>,
  tagsLegend: '遇到了什么问题？（可多选）',
  tagsHint: '选择"基本满意"及以下时，请勾选遇到的问题',
  comment: '意见或建议（选填，500字以内）',
  caseNo: '办件编号（选填）',
  caseNoHint: '填写后，同一次办事只计一次评价',
  phone: '联系电话（选填，便于回访）',
  phoneHint: '手机号或固定电话，仅用于回访，不会公开',
  submit: '提交评价',
  thanks: '感谢您的评价！',
  trackingIntro: '您的查询码：',
  trackingHint: '请截图或记下查询码，可随时查看办理进度。',
  trackLink: '查看办理进度',
  alreadyRated: '这次办事已经评价过了，不重复计分。您补充的意见已记录。',
  badReviewNote: '我们会在1个工作日内核实并与您联系（如留有电话）。',
  invalidCode: '此二维码已失效',
  invalidCodeBody: '这个评价二维码已经更换或不存在。请扫描窗口上最新张贴的二维码，或向工作人员咨询。',
  tooMany: '提交太频繁了',
  tooManyBody: '请稍等一分钟后再试。感谢您的耐心。',
  expired: '页面已过期，请重新填写后提交。',
  crossSite: '请从评价页面提交。',
  errors: {
    rating: '请选择满意程度',
    comment: '意见内容请不要超过500字',
    phone: '联系电话格式不正确，请填写11位手机号或带区号的固定电话',
    caseNo: '办件编号格式不正确（最多40位字母、数字或-）',
  },
};

export interface RatingFormValues {
  rating?: number | null;
  tags?: string[];
  comment?: string;
  caseNo?: string;
  phone?: string;
}

export function ratingFormPage(opts: {
  action: string;
  windowName: string;
  unitName: string;
  location: string | null;
  nonce: string;
  scriptNonce: string;
  values?: RatingFormValues;
  errors?: string[];
}): string {
  const v = opts.values ?? {};
  const levels = [5, 4, 3, 2, 1]
    .map(
      (n) =>
        `<label class="opt"><input type="radio" name="rating" value="${n}"${v.rating === n ? ' checked' : ''} required> <span>${n}分 · ${T.levels[n]}</span></label>`,
    )
    .join('');
  const tags = QR_PROBLEM_TAGS.map(
    (t) =>
      `<label class="opt"><input type="checkbox" name="tags" value="${escapeHtml(t.code)}"${v.tags?.includes(t.code) ? ' checked' : ''}> <span>${escapeHtml(t.label)}<span class="sr">（${DIMENSION_NAMES[t.dimension]}）</span></span></label>`,
  ).join('');
  const errors = opts.errors?.length
    ? `<div class="err" role="alert"><ul>${opts.errors.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul></div>`
    : '';
  const body = `
<h1>${T.heading}</h1>
<p class="where">${escapeHtml(opts.unitName)} · ${escapeHtml(opts.windowName)}${opts.location ? ` · ${escapeHtml(opts.location)}` : ''}</p>
${errors}
<form method="post" action="${escapeHtml(opts.action)}" accept-charset="utf-8">
<input type="hidden" name="nonce" value="${escapeHtml(opts.nonce)}">
<fieldset><legend>${T.ratingLegend}</legend>${levels}</fieldset>
<fieldset id="tags"><legend>${T.tagsLegend}</legend><p class="hint" id="tags-hint">${T.tagsHint}</p>${tags}</fieldset>
<label class="field" for="comment">${T.comment}</label>
<textarea id="comment" name="comment" maxlength="500" rows="4">${escapeHtml(v.comment ?? '')}</textarea>
<label class="field" for="caseNo">${T.caseNo}</label>
<input type="text" id="caseNo" name="caseNo" maxlength="40" autocomplete="off" aria-describedby="caseNo-hint" value="${escapeHtml(v.caseNo ?? '')}">
<p class="hint" id="caseNo-hint">${T.caseNoHint}</p>
<label class="field" for="phone">${T.phone}</label>
<input type="tel" id="phone" name="phone" maxlength="20" autocomplete="tel" inputmode="tel" aria-describedby="phone-hint" value="${escapeHtml(v.phone ?? '')}">
<p class="hint" id="phone-hint">${T.phoneHint}</p>
<button type="submit">${T.submit}</button>
</form>`;
  // Enhancement only: hide the problem tags for good ratings, and stop a second tap while the first is on its way.
  const script = `(function(){var f=document.querySelector('form'),t=document.getElementById('tags');function u(){var r=f.querySelector('input[name=rating]:checked');t.hidden=!!(r&&Number(r.value)>3);}f.addEventListener('change',u);u();f.addEventListener('submit',function(){var b=f.querySelector('button');setTimeout(function(){b.disabled=true;},0);});})();`;
  return page({ title: T.title, body, scriptNonce: opts.scriptNonce, script });
}

export function thanksPage(opts: { trackingCode: string; trackUrl: string; badReview: boolean; alreadyRated: boolean }): string {
  const body = `
<h1>${T.thanks}</h1>
${opts.alreadyRated ? `<p class="ok" role="status">${T.alreadyRated}</p>` : ''}
<div class="ok"><p>${T.trackingIntro}</p><p class="code" id="tracking-code">${escapeHtml(opts.trackingCode)}</p><p class="hint">${T.trackingHint}</p></div>
${opts.badReview && !opts.alreadyRated ? `<p>${T.badReviewNote}</p>` : ''}
<a class="btn" href="${escapeHtml(opts.trackUrl)}">${T.trackLink}</a>`;
  return page({ title: T.thanks, body });
}

export function messagePage(title: string, text: string): string {
  return page({ title, body: `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>` });
}
