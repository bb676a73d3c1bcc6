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
  @ApiPropertyOptional() expiresAt: string | null;
  @ApiProperty() createdAt: string;
  @ApiPropertyOptional() revokedAt: string | null;
  @ApiPropertyOptional() rolledFromId: string | null;
  @ApiPropertyOptional() rolledToId: string | null;
  @ApiPropertyOptional() lastUsedAt: string | null;
  @ApiPropertyOptional() lastUsedAddress: string | null;
  @ApiProperty({ enum: ['active', 'expired', 'revoked'] }) status: string;
  @ApiProperty({ description: 'Requests in the last 30 days by status class' }) usage: Record<string, number>;
}
