import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import type { JSONWebKeySet } from 'jose';
import { IsResourceIndicator } from '../../common/is-resource-indicator.validator.js';
import { SCOPE_TOKEN } from '../../common/scope.js';
import type { ClientKind, TokenEndpointAuthMethod } from '../client.entity.js';

export const CLIENT_ID_PATTERN = /^[A-Za-z0-9._-]{3,64}$/;
export const AUTH_METHODS: TokenEndpointAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'];

export class GrantDto {
  @ApiProperty({ example: 'https://crm.tollgate.local', description: 'Resource indicator' })
  @IsResourceIndicator()
  resource: string;

  @ApiProperty({ example: ['contacts:read'] })
  @IsArray()
  @ArrayMaxSize(200)
  @Matches(SCOPE_TOKEN, { each: true, message: 'each scope must be 1–128 characters without spaces, quotes or backslashes' })
  scopes: string[];
}

export class CreateClientDto {
  @ApiPropertyOptional({ example: 'thermostat-1', description: 'Client id (3–64 of A–Z a–z 0–9 . _ -); generated when absent. For devices it is the MQTT client id.' })
  @IsOptional()
  @Matches(CLIENT_ID_PATTERN, { message: 'id must be 3–64 characters of letters, digits, ".", "_" or "-"' })
  id?: string;

  @ApiProperty({ example: 'Email marketing (service-a)' })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiPropertyOptional({ enum: ['service', 'device'], default: 'service' })
  @IsOptional()
  @IsIn(['service', 'device'])
  kind?: ClientKind;

  @ApiPropertyOptional({ enum: AUTH_METHODS, default: 'client_secret_basic' })
  @IsOptional()
  @IsIn(AUTH_METHODS)
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;

  @ApiPropertyOptional({ description: 'Public JWK set, required for private_key_jwt (RFC 7523)' })
  @IsOptional()
  @IsObject()
  jwks?: JSONWebKeySet;

  @ApiProperty({ type: [GrantDto] })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => GrantDto)
  grants: GrantDto[];

  @ApiPropertyOptional({ default: false, description: 'May exchange users’ PATs for short-lived JWTs at the token endpoint (RFC 8693)' })
  @IsOptional()
  @IsBoolean()
  allowTokenExchange?: boolean;

  @ApiPropertyOptional({ description: 'Lifetime of the first secret in days (1–3650); no expiry when absent' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  secretExpiresInDays?: number;

  @ApiPropertyOptional({
    description:
      'An operator-chosen secret (32–512 characters) instead of a generated one, for provisioning from configuration (docker-compose, infrastructure as code). Prefer generated secrets.',
  })
  @IsOptional()
  @IsString()
  @Length(32, 512)
  clientSecret?: string;
}

export class UpdateClientDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({ description: 'A disabled client cannot get tokens and its tokens are refused' })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;

  @ApiPropertyOptional({ description: 'May exchange users’ PATs for short-lived JWTs at the token endpoint (RFC 8693)' })
  @IsOptional()
  @IsBoolean()
  allowTokenExchange?: boolean;

  @ApiPropertyOptional({ type: [GrantDto], description: 'Replaces all grants' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => GrantDto)
  grants?: GrantDto[];

  @ApiPropertyOptional({ description: 'Replaces the public JWK set (private_key_jwt clients)' })
  @IsOptional()
  @IsObject()
  jwks?: JSONWebKeySet;
}

export class RotateSecretDto {
  @ApiPropertyOptional({ description: 'An operator-chosen new secret (32–512 characters) instead of a generated one' })
  @IsOptional()
  @IsString()
  @Length(32, 512)
  clientSecret?: string;

  @ApiPropertyOptional({ description: 'The client’s other secrets expire in this many minutes (0 = at once, max 30 days); left as they are when absent' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(43_200)
  expireCurrentInMinutes?: number;

  @ApiPropertyOptional({ description: 'Lifetime of the new secret in days (1–3650); no expiry when absent' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  expiresInDays?: number;
}

export class ClientSecretDto {
  @ApiProperty() id: string;
  @ApiProperty({
    example: 'tgs_Ab3x',
    description: 'A Tollgate-format secret’s prefix and first characters, to recognise it; `(operator-chosen)` for a secret chosen in another format, `bootstrap` for BOOTSTRAP_ADMIN_CLIENT_SECRET',
  })
  displayPrefix: string;
  @ApiProperty() createdAt: string;
  @ApiPropertyOptional() expiresAt: string | null;
  @ApiProperty() active: boolean;
}

export class ClientDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['service', 'device'] }) kind: ClientKind;
  @ApiProperty({ enum: AUTH_METHODS }) tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  @ApiProperty() disabled: boolean;
  @ApiProperty({ description: 'May exchange PATs at the token endpoint (RFC 8693)' }) allowTokenExchange: boolean;
  @ApiProperty({ type: [GrantDto] }) grants: GrantDto[];
  @ApiProperty({ type: [ClientSecretDto] }) secrets: ClientSecretDto[];
  @ApiPropertyOptional({ description: 'Tokens issued before this time are refused' }) tokensValidAfter: string | null;
  @ApiPropertyOptional() jwks: JSONWebKeySet | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export class CreatedClientDto extends ClientDto {
  @ApiPropertyOptional({ description: 'The client secret. Shown only in this response: store it now.' })
  clientSecret?: string;
}

export class CreatedSecretDto extends ClientSecretDto {
  @ApiProperty({ description: 'The new secret. Shown only in this response: store it now.' })
  clientSecret: string;
}
