import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Length,
  ValidateNested,
} from 'class-validator';
import type { JSONWebKeySet } from 'jose';
import { GrantDto } from '../../common/dto/grant.dto.js';
import { TOKEN_BINDINGS, type TokenBinding } from '../../common/token-binding.js';
import { TlsClientAuthFields } from './tls-client-auth.fields.js';

/** The tlsClientAuth* fields replace a tls_client_auth client's registered subject. */
export class UpdateClientDto extends TlsClientAuthFields {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({ description: 'A disabled client cannot get tokens and its tokens are refused' })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;

  @ApiPropertyOptional({
    description: 'May exchange users’ PATs for short-lived JWTs at the token endpoint (RFC 8693)',
  })
  @IsOptional()
  @IsBoolean()
  allowTokenExchange?: boolean;

  @ApiPropertyOptional({
    enum: TOKEN_BINDINGS,
    description:
      'dpop: every access token the client gets is bound to a DPoP key (RFC 9449); mtls: to its TLS client certificate (RFC 8705); none: bearer tokens are allowed',
  })
  @IsOptional()
  @IsIn(TOKEN_BINDINGS)
  requiredBinding?: TokenBinding;

  @ApiPropertyOptional({ type: [GrantDto], description: 'Replaces all grants' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => GrantDto)
  grants?: GrantDto[];

  @ApiPropertyOptional({
    allOf: [{ $ref: '#/components/schemas/JsonWebKeySet' }],
    description: 'Replaces the public JWK set (private_key_jwt and self_signed_tls_client_auth clients)',
  })
  @IsOptional()
  @IsObject()
  jwks?: JSONWebKeySet;
}
