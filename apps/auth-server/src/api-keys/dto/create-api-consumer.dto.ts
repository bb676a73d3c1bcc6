import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Length, MaxLength } from 'class-validator';

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
