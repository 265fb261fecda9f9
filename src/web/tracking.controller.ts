import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators.js';
import { normaliseTrackingCode } from '../intake/tracking-code.js';
import { send } from '../intake/qr/qr-rating.controller.js';
import { escapeHtml, page } from './html.js';
import { chinaTime } from '../common/china-time.js';

const T = {
  title: '办理进度',
  notFound: '没有找到这个查询码',
  notFoundBody: '请核对查询码（12位字母和数字）后再试。',
  received: '已收到您的反映',
  withUnit: '已转交办理单位',
  accepted: '办理单位已签收，正在办理',
  answered: '办理单位已答复',
  closed: '已办结',
  returned: '正在重新确定办理单位',
  reopened: '已重新办理',
  answer: '答复内容',
  unit: '办理单位',
  code: '查询码',
};

const DONE_ORDER = ['new', 'assigned', 'accepted', 'answered', 'closed'];

/** Progress for the person who raised it, by tracking code: plain words, no personal data, no internal notes. */
@ApiExcludeController()
@Public()
@Controller('t')
export class TrackingController {
  constructor(private readonly ds: DataSource) {}

  @Get(':code')
  async show(@Param('code') raw: string, @Res() res: Response): Promise<void> {
    const code = normaliseTrackingCode(raw);
    const [item] = code
      ? await this.ds.query(
          `SELECT i.id, i.status, i.received_at, i.closed_at, u.name AS unit_name, i.answer_text AS answer
           FROM item i JOIN unit u ON u.id = i.unit_id WHERE i.tracking_code = $1`,
          [code],
        )
      : [];
    if (!item) {
      return send(res, 404, page({ title: T.notFound, body: `<h1>${T.notFound}</h1><p>${T.notFoundBody}</p>` }));
    }
    const reached = DONE_ORDER.indexOf(item.status);
    const steps: [string, boolean, string][] = [
      [T.received, true, chinaTime(item.received_at)],
      [`${T.withUnit}：${item.unit_name}`, reached >= 1 || ['returned', 'reopened'].includes(item.status), ''],
      [T.accepted, reached >= 2, ''],
      [T.answered, reached >= 3, ''],
      [T.closed, reached >= 4, chinaTime(item.closed_at)],
    ];
    if (item.status === 'returned') steps.splice(2, 0, [T.returned, true, '']);
    if (item.status === 'reopened') steps.splice(4, 0, [T.reopened, true, '']);
    const list = steps
      .map(([label, done, at]) => `<li class="${done ? 'done' : ''}">${done ? '✓ ' : ''}${escapeHtml(label)}${at ? `<br><span class="hint">${escapeHtml(at)}</span>` : ''}</li>`)
      .join('');
    const answer = item.answer ? `<h2>${T.answer}</h2><div class="answer">${escapeHtml(item.answer)}</div>` : '';
    send(
      res,
      200,
      page({
        title: T.title,
        body: `<h1>${T.title}</h1><p>${T.code}：</p><p class="code">${escapeHtml(code)}</p><ol class="steps">${list}</ol>${answer}`,
      }),
    );
  }
}
