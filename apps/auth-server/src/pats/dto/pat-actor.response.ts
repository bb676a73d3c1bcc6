import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class PatActorDto {
  @ApiProperty({ enum: ['user', 'client', 'system'] }) type: string;
  @ApiPropertyOptional({ type: String, nullable: true }) id: string | null;
}
