import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ApiConsumerEntity } from '../api-consumer.entity.js';

export class ApiConsumerDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() contact: string;
  @ApiPropertyOptional({ type: String, nullable: true }) description: string | null;
  @ApiProperty() disabled: boolean;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;

  static from(entity: ApiConsumerEntity): ApiConsumerDto {
    return {
      id: entity.id,
      name: entity.name,
      contact: entity.contact,
      description: entity.description,
      disabled: entity.disabled,
      createdAt: entity.createdAt.toISOString(),
      updatedAt: entity.updatedAt.toISOString(),
    };
  }
}
