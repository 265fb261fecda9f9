import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '../auth/actor.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { CasesService, type BacktraceAnswer, type ImportResult } from './cases.service.js';
import { attachmentHeader, MAX_EVIDENCE_BYTES } from './evidence-file.js';
import { ProblemFilesService } from './problem-files.service.js';
import { CreateProblemDto, DoneDto, LinkItemsDto, ListProblemsQuery, MeasureDto, RejectDto } from './rectification.dto.js';
import { ProblemsService, type ProblemSummary, type ProblemView } from './problems.service.js';

const MAX_CASE_FILE = 50 * 1024 * 1024;

@ApiTags('rectification')
@ApiBearerAuth()
@Controller('api')
export class RectificationController {
  constructor(
    private readonly cases: CasesService,
    private readonly problems: ProblemsService,
    private readonly files: ProblemFilesService,
  ) {}

  @Post('cases/import')
  @Roles('operator', 'supervisor', 'admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'import case step logs (办件): CSV or XLSX with 办件编号, 事项编码, 环节, 承办单位, 开始时间, 结束时间, 结果' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } })
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: MAX_CASE_FILE, files: 1 } }))
  importCases(@CurrentActor() a: Actor, @UploadedFile() file: Express.Multer.File | undefined): Promise<ImportResult> {
    if (!file?.buffer?.length) throw new DomainError(ErrorCode.ValidationFailed, 'file: send the case log as the multipart field "file"');
    return this.cases.importFile(file.buffer, a);
  }

  @Post('items/:id/backtrace')
  @Roles('supervisor', 'admin', 'unit_staff')
  @HttpCode(200)
  @ApiOperation({ summary: '倒推: walks the item’s case back against the approval chain and proposes the blocked steps' })
  backtrace(@CurrentActor() a: Actor, @Param('id') id: string): Promise<BacktraceAnswer> {
    return this.cases.backtrace(a, id);
  }

  @Post('problems')
  @Roles('supervisor', 'admin')
  @ApiOperation({ summary: 'a problem (问题) from a back-trace or by hand' })
  createProblem(@CurrentActor() a: Actor, @Body() b: CreateProblemDto): Promise<ProblemView> {
    return this.problems.create(a, b);
  }

  @Get('problems')
  @Roles('supervisor', 'admin', 'unit_staff')
  @ApiOperation({ summary: 'the problem ledger (问题台账): unit staff see the problems naming their unit or one below it' })
  listProblems(@CurrentActor() a: Actor, @Query() q: ListProblemsQuery): Promise<{ problems: ProblemSummary[]; total: number }> {
    return this.problems.list(a, { ...q, page: q.page ?? 1, pageSize: q.pageSize ?? 50 });
  }

  @Get('problems/:id')
  @Roles('supervisor', 'admin', 'unit_staff')
  @ApiOperation({
    summary: 'one problem with its measures, files and linked items',
    description: "each linked item is `{id, status, trackingCode}`; `trackingCode` is null for an item the caller may not open (another unit's), since the code opens the item's progress page",
  })
  getProblem(@CurrentActor() a: Actor, @Param('id') id: string): Promise<ProblemView> {
    return this.problems.get(a, id);
  }

  @Post('problems/:id/items')
  @Roles('supervisor', 'admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'link items to the problem' })
  linkItems(@CurrentActor() a: Actor, @Param('id') id: string, @Body() b: LinkItemsDto): Promise<ProblemView> {
    return this.problems.addItems(a, id, b.items);
  }

  @Post('problems/:id/measures')
  @Roles('supervisor', 'admin', 'unit_staff')
  @HttpCode(200)
  @ApiOperation({ summary: '整改措施 (a responsible unit or the office); open → rectifying' })
  measure(@CurrentActor() a: Actor, @Param('id') id: string, @Body() b: MeasureDto): Promise<ProblemView> {
    return this.problems.addMeasure(a, id, b.text);
  }

  @Post('problems/:id/done')
  @Roles('supervisor', 'admin', 'unit_staff')
  @HttpCode(200)
  @ApiOperation({ summary: 'rectified, with the evidence (a responsible unit or the office); → done' })
  done(@CurrentActor() a: Actor, @Param('id') id: string, @Body() b: DoneDto): Promise<ProblemView> {
    return this.problems.done(a, id, b.evidence);
  }

  @Post('problems/:id/files')
  @Roles('supervisor', 'admin', 'unit_staff')
  @ApiOperation({ summary: '整改佐证: an image, PDF or office document (≤ 10 MB, ≤ 20 a problem), its type checked from its bytes' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } })
  // browsers and curl send the file name as UTF-8 (Chinese names); over the cap multer answers 413
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: MAX_EVIDENCE_BYTES, files: 1 }, defParamCharset: 'utf8' }))
  addFile(@CurrentActor() a: Actor, @Param('id') id: string, @UploadedFile() file: Express.Multer.File | undefined): ReturnType<ProblemFilesService['add']> {
    if (!file) throw new DomainError(ErrorCode.ValidationFailed, 'file: send the evidence as the multipart field "file"');
    return this.files.add(a, id, { name: file.originalname, data: file.buffer });
  }

  @Get('problems/:id/files/:file')
  @Roles('supervisor', 'admin', 'unit_staff')
  @ApiProduces('application/octet-stream')
  @ApiOperation({ summary: 'an evidence file, always as a download' })
  async getFile(@CurrentActor() a: Actor, @Param('id') id: string, @Param('file') fileId: string, @Res() res: Response): Promise<void> {
    const f = await this.files.get(a, id, fileId);
    res
      .status(200)
      .set({
        'Content-Type': f.contentType,
        'Content-Length': String(f.size),
        'Content-Disposition': attachmentHeader(f.name),
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'; sandbox",
        'Cache-Control': 'private, no-store',
      })
      .end(f.data);
  }

  @Post('problems/:id/reject')
  @Roles('supervisor', 'admin')
  @HttpCode(200)
  @ApiOperation({ summary: '验收不通过: a done problem goes back to the unit (rectifying) with the reason' })
  reject(@CurrentActor() a: Actor, @Param('id') id: string, @Body() b: RejectDto): Promise<ProblemView> {
    return this.problems.reject(a, id, b.reason);
  }

  @Post('problems/:id/verify')
  @Roles('supervisor', 'admin')
  @HttpCode(200)
  @ApiOperation({ summary: '验收 by the office: → verified; every linked item is answered with the measures and its callback becomes due' })
  verify(@CurrentActor() a: Actor, @Param('id') id: string): ReturnType<ProblemsService['verify']> {
    return this.problems.verify(a, id);
  }
}
