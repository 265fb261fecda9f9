import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../auth/actor.js';
import { CurrentActor } from '../auth/auth.decorators.js';
import type { ItemView } from './item.types.js';
import { ListItemsQuery } from './items.dto.js';
import { ItemsService } from './items.service.js';

@ApiTags('items')
@ApiBearerAuth()
@Controller('api/items')
export class ItemsController {
  constructor(private readonly items: ItemsService) {}

  @Get()
  list(@CurrentActor() actor: Actor, @Query() q: ListItemsQuery): Promise<{ items: ItemView[]; total: number }> {
    return this.items.list(actor, { ...q, page: q.page ?? 1, pageSize: q.pageSize ?? 50 });
  }

  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<ItemView> {
    return this.items.get(actor, id);
  }
}
