import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import type { JSONWebKeySet } from 'jose';
import type { ClientKind, TokenEndpointAuthMethod } from '../client.entity.js';
import { GrantDto } from '../../common/dto/grant.dto.js';
import { TOKEN_BINDINGS, type TokenBinding } from '../../common/token-binding.js';
import { TlsClientAuthFields } from './tls-client-auth.fields.js';

export const CLIENT_ID_PATTERN = /^[A-Za-z0-9._-]{3,64}$/;

export const AUTH_METHODS: TokenEndpointAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
  'tls_client_auth',
  'self_signed_tls_client_auth',
];

export class CreateClientDto extends TlsClientAuthFields {
  @ApiPropertyOptional({
    example: 'thermostat-1',
    description: 'Client id (3–64 of A–Z a–z 0–9 . _ -); generated when absent. For devices it is the MQTT client id.',
  })
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

  @ApiPropertyOptional({
    allOf: [{ $ref: '#/components/schemas/JsonWebKeySet' }],
    description:
      'Public JWK set, required for private_key_jwt (RFC 7523) and self_signed_tls_client_auth (each key with its certificate in x5c, RFC 8705 §2.2)',
  })
  @IsOptional()
  @IsObject()
  jwks?: JSONWebKeySet;

  @ApiProperty({ type: [GrantDto] })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => GrantDto)
  grants: GrantDto[];

  @ApiPropertyOptional({
    default: false,
    description: 'May exchange users’ PATs for short-lived JWTs at the token endpoint (RFC 8693)',
  })
  @IsOptional()
  @IsBoolean()
  allowTokenExchange?: boolean;

  @ApiPropertyOptional({
    enum: TOKEN_BINDINGS,
    default: 'none',
    description:
      'dpop: every access token the client gets is bound to a DPoP key (RFC 9449); mtls: to its TLS client certificate (RFC 8705); none: bearer tokens are allowed',
  })
  @IsOptional()
  @IsIn(TOKEN_BINDINGS)
  requiredBinding?: TokenBinding;

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
