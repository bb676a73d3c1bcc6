import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsInt, IsISO8601, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { IsResourceIndicator } from '../../common/is-resource-indicator.validator.js';
import { SCOPE_TOKEN } from '../../common/scope.js';

export const MAX_LIFETIME_DAYS_LIMIT = 3650;
export type PatStatus = 'active' | 'expired' | 'revoked';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const oneOrMany = ({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value);

export class CreatePatDto {
  @ApiProperty({ example: 'deploy script', description: '1–100 characters, unique among your tokens that are not revoked' })
  @Transform(trim)
  @IsString({ message: 'name must be a string' })
  @Length(1, 100, { message: 'name must be 1–100 characters' })
  name: string;

  @ApiProperty({ example: ['contacts:read'], description: 'Scopes the token may use; each must be held by the owner now, and the owner’s current roles still apply at every use' })
  @IsArray()
  @ArrayMinSize(1, { message: 'scopes must name at least one scope' })
  @ArrayMaxSize(100)
  @Matches(SCOPE_TOKEN, { each: true, message: 'each scope must be 1–128 characters without spaces, quotes or backslashes' })
  scopes: string[];

  @ApiPropertyOptional({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], example: 'https://crm.tollgate.local', description: 'Restricts the token to these resource indicators (one or a list); usable everywhere the owner has access when absent' })
  @IsOptional()
  @Transform(oneOrMany)
  @IsArray({ message: 'resource must be a resource indicator or a list of them' })
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsResourceIndicator({ each: true })
  resource?: string[];

  @ApiPropertyOptional({ example: '2026-12-31T00:00:00Z', description: 'Expiry (ISO 8601); or use expiresInDays. Without either, the token never expires (only if the policy allows it).' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'expiresAt must be an ISO 8601 date-time' })
  expiresAt?: string;

  @ApiPropertyOptional({ example: 30, description: 'Lifetime in days, within the policy’s maximum' })
  @IsOptional()
  @IsInt({ message: 'expiresInDays must be a whole number of days' })
  @Min(1)
  @Max(MAX_LIFETIME_DAYS_LIMIT)
  expiresInDays?: number;
}

export class ListPatsQueryDto {
  @ApiPropertyOptional({ example: '7d', description: 'Only tokens that are not revoked and expire within this many days (1d–365d)' })
  @IsOptional()
  @Matches(/^(?:[1-9]|[1-9]\d|[12]\d\d|3[0-5]\d|36[0-5])d$/, { message: 'expiring must be a number of days between 1 and 365 followed by "d", e.g. 7d' })
  expiring?: string;
}

export class PatActorDto {
  @ApiProperty({ enum: ['user', 'client', 'system'] }) type: string;
  @ApiPropertyOptional() id: string | null;
}

export class PatDto {
  @ApiProperty() id: string;
  @ApiProperty() userId: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: [String] }) scopes: string[];
  @ApiProperty({ type: [String], description: 'Resource indicators the token is restricted to; empty: not restricted' }) resources: string[];
  @ApiProperty({ example: 'tgp_Ab3x', description: 'First characters of the token, to recognise it' }) displayPrefix: string;
  @ApiProperty({ enum: ['active', 'expired', 'revoked'] }) status: PatStatus;
  @ApiProperty() createdAt: string;
  @ApiProperty({ type: PatActorDto, description: 'The owner, or the admin who created a service account’s token' }) createdBy: PatActorDto;
  @ApiPropertyOptional({ description: 'null: never expires' }) expiresAt: string | null;
  @ApiPropertyOptional() lastUsedAt: string | null;
  @ApiPropertyOptional() lastUsedAddress: string | null;
  @ApiPropertyOptional() revokedAt: string | null;
}

export class CreatedPatDto extends PatDto {
  @ApiProperty({ example: 'tgp_…', description: 'The token. Shown only in this response: store it now.' })
  token: string;
}

export class PatPolicyDto {
  @ApiProperty({ example: 90, description: 'Longest lifetime of a new token, in days' })
  @IsInt()
  @Min(1)
  @Max(MAX_LIFETIME_DAYS_LIMIT)
  maxLifetimeDays: number;

  @ApiProperty({ example: false, description: 'Whether new tokens may have no expiry at all' })
  @IsBoolean()
  allowNoExpiry: boolean;
}
