import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { GrantDto } from '../../common/dto/grant.dto.js';
import { RateLimitDto } from '../../api-keys/dto/rate-limit.dto.js';

/** What the consumer's developers may do with its keys; setting it opens the consumer's portal. */
export class PortalLimitsDto {
  @ApiProperty({ type: [GrantDto], description: 'The scopes a key may hold, per resource' })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => GrantDto)
  grants: GrantDto[];

  @ApiProperty({ enum: ['live', 'test'], isArray: true, example: ['test', 'live'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(2)
  @IsIn(['live', 'test'], { each: true })
  environments: ('live' | 'test')[];

  @ApiProperty({ example: 5, description: 'Active keys at once (1–100)' })
  @IsInt()
  @Min(1)
  @Max(100)
  maxActiveKeys: number;

  @ApiPropertyOptional({
    type: RateLimitDto,
    nullable: true,
    description: 'Every key is limited to at most this rate; a key asked for without a limit gets this one',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimitDto)
  rateLimitCeiling?: RateLimitDto | null;
}
