import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/auth.decorators.js';
import { escapeHtml, page, pageCsp } from './html.js';

/** The addresses a newcomer or a monitoring system looks for first. */
export const FRONT_DOOR_LINKS = {
  console: '/console',
  docs: '/api/docs',
  openapi: '/api/docs/openapi.json',
  health: '/health',
  live: '/health/live',
  ready: '/health/ready',
  metrics: '/metrics',
} as const;

const T = {
  title: '我陪群众走流程 · 好差评 反馈中心',
  lead: '政务服务“好差评”与群众反映的受理、分办、督办和整改后台。',
  console: '进入管理控制台（登录）',
  docs: '接口文档（OpenAPI）',
  health: '运行状态检查',
  hint: '工作人员请使用单位发放的账号登录管理控制台。',
};

/**
 * `/`: a small page naming the hub with the way in (the console's sign-in) and the operator's addresses; an API
 * client asking for JSON gets the same addresses as an index.
 */
@ApiTags('front door')
@Public()
@Controller()
export class FrontDoorController {
  @Get()
  @ApiOperation({ summary: 'Front door: a Chinese page linking the console sign-in, the API docs and the health check; JSON index with Accept: application/json' })
  @ApiProduces('text/html', 'application/json')
  @ApiOkResponse({ description: 'HTML page, or `{name, links: {console, docs, openapi, health, live, ready, metrics}}`' })
  index(@Req() req: Request, @Res() res: Response): void {
    res.setHeader('Cache-Control', 'no-store');
    // a browser sends text/html first; curl's */* also gets the page; only a client that prefers JSON gets JSON
    if (req.accepts(['html', 'json']) === 'json') {
      res.json({ name: 'feedback-hub', title: T.title, links: FRONT_DOOR_LINKS });
      return;
    }
    const body = `<h1>${escapeHtml(T.title)}</h1>
<p class="where">${escapeHtml(T.lead)}</p>
<a class="btn" href="${FRONT_DOOR_LINKS.console}" id="to-console">${escapeHtml(T.console)}</a>
<p class="hint">${escapeHtml(T.hint)}</p>
<ul>
<li><a href="${FRONT_DOOR_LINKS.docs}">${escapeHtml(T.docs)}</a></li>
<li><a href="${FRONT_DOOR_LINKS.health}">${escapeHtml(T.health)}</a></li>
</ul>`;
    res.setHeader('Content-Security-Policy', pageCsp());
    res.type('html').send(page({ title: T.title, body }));
  }
}
