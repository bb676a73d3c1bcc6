import { PartialType, PickType } from '@nestjs/swagger';
import { CreateResourceDto } from './create-resource.dto.js';

export class UpdateResourceDto extends PartialType(
  PickType(CreateResourceDto, ['name', 'scopes', 'accessTokenTtl', 'requiredBinding'] as const),
) {}
