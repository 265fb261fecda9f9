import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../auth/actor.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import type { ItemStatus } from '../items/item.entity.js';
import type { ItemView } from '../items/item.types.js';
import {
  AnswerDto,
  AppealDecisionDto,
  CallbackDto,
  DispatchDto,
  ExtensionDecisionDto,
  ExtensionDto,
  NoteDto,
  ReasonDto,
  ReopenDto,
} from './workflow.dto.js';
import { WorkflowService } from './workflow.service.js';

type StepAnswer = ItemView | { id: number; status: ItemStatus; unit: string };

/**
 * Workflow steps (CONTRACT.md). Unit staff act on their own unit's items, the office (supervisor, admin) on all;
 * another unit's item answers 404, a step the item's state does not allow 409 with `details.allowed`.
 */
@ApiTags('workflow')
@ApiBearerAuth()
@Roles('unit_staff', 'supervisor', 'admin')
@Controller('api/items/:id')
export class WorkflowController {
  constructor(private readonly wf: WorkflowService) {}

  @Post('accept')
  @HttpCode(200)
  @ApiOperation({ summary: '签收: the unit accepts the item' })
  accept(@CurrentActor() a: Actor, @Param('id') id: string, @Body() b: NoteDto): Promise<StepAnswer> {
    return this.wf.step(a, id, { type: 'accept', note: b.note });
  }

  @Post('return')
  @HttpCode(200)
  @ApiOperation({ summary: '退回: not this unit’s business; back to triage with the reason (counted as a misroute of its routing rule)' })
  return(@CurrentActor() a: Actor, @Param('id') id: string, @Body() b: ReasonDto): Promise<StepAnswer> {
    return this.wf.step(a, id, { type: 'return', reason: b.reason });
  }

  @Post('answer')
  @HttpCode(200)
  @ApiOperation({ summary: '答复: the answer; the callback becomes due' })
  answer(@CurrentActor() a: Actor, @Param('id') id: string, @Body() b: AnswerDto): Promise<StepAnswer> {
    return this.wf.step(a, id, { type: 'answer', text: b.text });
  }

  @Post('callback')
  @HttpCode(200)
  @ApiOperation({ summary: '回访: satisfied closes the item, not satisfied reopens it' })
  callback(@CurrentActor() a: Actor, @Param('id') id: string, @Body() b: CallbackDto): Promise<StepAnswer> {
    return this.wf.step(a, id, { type: 'callback', satisfied: b.satisfied, note: b.note });
  }

  @Post('close')
  @HttpCode(200)
  @ApiOperation({ summary: 'close without a callback (office)' })
  close(@CurrentActor() a: Actor, @Param('id') id: string, @Body() b: NoteDto): Promise<StepAnswer> {
    return this.wf.step(a, id, { type: 'close', note: b.note });
  }

  @Post('reopen')
  @HttpCode(200)
  @ApiOperation({ summary: 'reopen an answered or closed item (office)' })
  reopen(@CurrentActor() a: Actor, @Param('id') id: string, @Body() b: ReopenDto): Promise<StepAnswer> {
    return this.wf.step(a, id, { type: 'reopen', reason: b.reason });
  }

  @Post('dispatch')
  @HttpCode(200)
  @ApiOperation({ summary: '分派: the office sends a triage item to a unit, with a reason' })
  dispatch(@CurrentActor() a: Actor, @Param('id') id: string, @Body() b: DispatchDto): Promise<StepAnswer> {
    return this.wf.step(a, id, { type: 'dispatch', unit: b.unit, reason: b.reason });
  }

  @Post('extension')
  @HttpCode(200)
  @ApiOperation({ summary: '延期申请: the unit asks for more working days, before the deadline' })
  extension(@CurrentActor() a: Actor, @Param('id') id: string, @Body() b: ExtensionDto): Promise<StepAnswer> {
    return this.wf.step(a, id, { type: 'request_extension', days: b.days, reason: b.reason });
  }

  @Post('extension/decision')
  @HttpCode(200)
  @ApiOperation({ summary: 'the office approves or refuses the extension; the person is told of a new date' })
  extensionDecision(@CurrentActor() a: Actor, @Param('id') id: string, @Body() b: ExtensionDecisionDto): Promise<StepAnswer> {
    return this.wf.step(a, id, { type: 'decide_extension', approve: b.approve, note: b.note });
  }

  @Post('appeal')
  @HttpCode(200)
  @ApiOperation({ summary: '申诉复核: the unit appeals a bad review it believes mistaken or malicious' })
  appeal(@CurrentActor() a: Actor, @Param('id') id: string, @Body() b: ReasonDto): Promise<StepAnswer> {
    return this.wf.step(a, id, { type: 'appeal', reason: b.reason });
  }

  @Post('appeal/decision')
  @HttpCode(200)
  @ApiOperation({ summary: 'the office decides the appeal; upheld marks the rating invalid (kept, excluded from figures)' })
  appealDecision(@CurrentActor() a: Actor, @Param('id') id: string, @Body() b: AppealDecisionDto): Promise<StepAnswer> {
    return this.wf.step(a, id, { type: 'decide_appeal', uphold: b.uphold, note: b.note });
  }
}
