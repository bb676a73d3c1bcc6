import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDateString, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

export class AuditQueryDto {
  @ApiPropertyOptional({ description: 'Exact action, or a prefix ending in `.*` (e.g. `token.*`)' })
  @IsOptional()
  @Matches(/^[a-z0-9-]+(\.[a-z0-9-]+)*(\.\*)?$/, {
    message: 'action must be a dotted action name, optionally ending in .*',
  })
  @Length(1, 64)
  action?: string;

  @ApiPropertyOptional({ enum: ['success', 'failure', 'denied'] })
  @IsOptional()
  @IsIn(['success', 'failure', 'denied'])
  outcome?: 'success' | 'failure' | 'denied';

  @ApiPropertyOptional({ description: 'Actor id (client id or user id)' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  actor?: string;

  @ApiPropertyOptional({ description: 'Credential id (client id, secret id, token jti, PAT or API key id)' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  credential?: string;

  @ApiPropertyOptional({ description: 'ISO 8601 time: events at or after' })
  @IsOptional()
  @IsDateString()
  since?: string;

  @ApiPropertyOptional({ description: 'ISO 8601 time: events before' })
  @IsOptional()
  @IsDateString()
  until?: string;

  @ApiPropertyOptional({ description: 'Page size, 1–200 (default 50)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'Cursor: return events older than this event id (from `nextCursor`)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  // Event ids are 64-bit; beyond 2^53 − 1 a cursor would no longer be an exact JSON number.
  @Max(Number.MAX_SAFE_INTEGER)
  before?: number;
}
