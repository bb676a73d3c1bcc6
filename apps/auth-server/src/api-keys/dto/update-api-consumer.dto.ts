import { ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { CreateApiConsumerDto } from './create-api-consumer.dto.js';

export class UpdateApiConsumerDto extends PartialType(CreateApiConsumerDto) {
  @ApiPropertyOptional({ description: 'A disabled consumer’s keys all stop working at once' })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}
