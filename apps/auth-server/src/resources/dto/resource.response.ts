import { TOKEN_BINDINGS, type TokenBinding } from '../../common/token-binding.js';
import { ApiProperty } from '@nestjs/swagger';
import type { ResourceEntity } from '../resource.entity.js';

export class ResourceDto {
  @ApiProperty() id: string;
  @ApiProperty() indicator: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: [String] }) scopes: string[];
  @ApiProperty() accessTokenTtl: number;
  @ApiProperty({ enum: TOKEN_BINDINGS, description: 'none: bearer tokens allowed; dpop: DPoP-bound tokens only' })
  requiredBinding: TokenBinding;
  @ApiProperty({ description: 'Created by Tollgate (the management API); cannot be deleted' }) system: boolean;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;

  static from(entity: ResourceEntity): ResourceDto {
    return {
      id: entity.id,
      indicator: entity.indicator,
      name: entity.name,
      scopes: entity.scopes,
      accessTokenTtl: entity.accessTokenTtl,
      requiredBinding: entity.requiredBinding,
      system: entity.system,
      createdAt: entity.createdAt.toISOString(),
      updatedAt: entity.updatedAt.toISOString(),
    };
  }
}
