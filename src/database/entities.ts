import { UserEntity } from '../auth/user.entity.js';
import { ItemEventEntity } from '../items/item.entity.js';
import { ServiceItemEntity, ServiceWindowEntity, UnitEntity } from '../org/org.entities.js';

export const entities = [UnitEntity, ServiceWindowEntity, ServiceItemEntity, UserEntity, ItemEventEntity];
