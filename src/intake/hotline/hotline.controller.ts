import { Body, Controller, Get, Param, Post, Query, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { diskStorage } from 'multer';
import { tmpdir } from 'node:os';
import type { Actor } from '../../auth/actor.js';
import { CurrentActor, Roles } from '../../auth/auth.decorators.js';
import { DomainError, ErrorCode } from '../../common/domain-error.js';
import type { ItemView } from '../../items/item.types.js';
import { HotlineOrderDto } from './hotline.dto.js';
import { HotlineImportService, type ImportStatus } from './hotline-import.service.js';
import { HotlineService } from './hotline.service.js';

/** The largest export taken (the console's upload uses the same limit). */
export const MAX_UPLOAD = 1024 * 1024 * 1024;

@ApiTags('intake')
@ApiBearerAuth()
@Roles('operator', 'supervisor', 'admin')
@Controller('api/intake/hotline')
export class HotlineController {
  constructor(
    private readonly imports: HotlineImportService,
    private readonly hotline: HotlineService,
  ) {}

  /**
   * A 12345 export (CSV in UTF-8/BOM/GBK/GB18030, or XLSX). Small files answer with the result:
   * `{total, created, duplicates, rejected: [{row, reason}]}`; a file still running after 20 s answers 202 with its
   * id, to watch at `GET /api/intake/hotline/imports/{id}`.
   */
  @Post('import')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } })
  @UseInterceptors(FileInterceptor('file', { storage: diskStorage({ destination: tmpdir() }), limits: { fileSize: MAX_UPLOAD, files: 1 } }))
  async import(
    @CurrentActor() actor: Actor,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ImportStatus> {
    if (!file) throw new DomainError(ErrorCode.ValidationFailed, 'file: send the export as the multipart field "file"');
    const id = await this.imports.start({ path: file.path, originalName: file.originalname }, actor);
    const s = await this.imports.waitFor(id, 20_000);
    res.status(s.status === 'done' || s.status === 'failed' ? (s.status === 'failed' ? 422 : 200) : 202);
    return s;
  }

  @Get('imports/:id')
  status(@Param('id') id: string): Promise<ImportStatus> {
    return this.imports.status(id);
  }

  /** One work order: 201 with the new item, 200 with the existing one (idempotent on orderNo). */
  @Post()
  async forward(@CurrentActor() actor: Actor, @Body() dto: HotlineOrderDto, @Res({ passthrough: true }) res: Response): Promise<ItemView> {
    const r = await this.hotline.forward(dto, actor);
    res.status(r.created ? 201 : 200);
    return r.item;
  }

  /** Results for the hotline system: 工单编号, 承办单位, 办理状态, 答复内容, 办结时间. */
  @Get('results.xlsx')
  @ApiQuery({ name: 'from', required: false }) @ApiQuery({ name: 'to', required: false })
  async results(@Query('from') from: string | undefined, @Query('to') to: string | undefined, @Res() res: Response): Promise<void> {
    await this.hotline.resultsXlsx(from, to, res);
  }
}
