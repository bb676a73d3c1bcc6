import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import type { ApiConsumerEntity } from '../api-consumer.entity.js';

export class CreateApiConsumerDto {
  @ApiProperty({ example: 'Zapflow integration' })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiProperty({ example: 'integrations@zapflow.example', description: 'Who to contact about this consumer' })
  @IsEmail()
  @MaxLength(254)
  contact: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;
}

export class UpdateApiConsumerDto extends PartialType(CreateApiConsumerDto) {
  @ApiPropertyOptional({ description: 'A disabled consumer’s keys all stop working at once' })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}

export class ApiConsumerDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() contact: string;
  @ApiPropertyOptional() description: string | null;
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
