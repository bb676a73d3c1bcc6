import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { GrantDto } from '../../common/dto/grant.dto.js';
import { RateLimitDto } from './rate-limit.dto.js';

export class ApiKeyDto {
  @ApiProperty() id: string;
  @ApiProperty() consumerId: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['live', 'test'] }) environment: string;
  @ApiProperty({ description: 'First characters of the key, to recognise it' }) displayPrefix: string;
  @ApiProperty({ type: [GrantDto] }) grants: GrantDto[];
  @ApiPropertyOptional({ type: [String] }) ipAllowlist: string[] | null;
  @ApiPropertyOptional({ type: RateLimitDto }) rateLimit: RateLimitDto | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) expiresAt: string | null;
  @ApiProperty() createdAt: string;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) revokedAt: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) rolledFromId: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) rolledToId: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) lastUsedAt: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) lastUsedAddress: string | null;
  @ApiProperty({ enum: ['active', 'expired', 'revoked'] }) status: string;
  @ApiProperty({
    description: 'Requests in the last 30 days by status class',
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { '2xx': 41, '4xx': 2 },
  })
  usage: Record<string, number>;
}
