import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { JSONWebKeySet } from 'jose';
import type { ClientKind, TokenEndpointAuthMethod } from '../client.entity.js';
import { ClientSecretDto } from './client-secret.response.js';
import { AUTH_METHODS } from './create-client.dto.js';
import { GrantDto } from '../../common/dto/grant.dto.js';
import { TOKEN_BINDINGS, type TokenBinding } from '../../common/token-binding.js';
import { TlsClientAuthFields } from './tls-client-auth.fields.js';

/** A client; a tls_client_auth client shows the one tlsClientAuth* field it is recognised by. */
export class ClientDto extends TlsClientAuthFields {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['service', 'device'] }) kind: ClientKind;
  @ApiProperty({ enum: AUTH_METHODS }) tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  @ApiProperty() disabled: boolean;
  @ApiProperty({ description: 'May exchange PATs at the token endpoint (RFC 8693)' }) allowTokenExchange: boolean;
  @ApiProperty({
    enum: TOKEN_BINDINGS,
    description:
      'The binding its access tokens must have: none (bearer allowed), dpop (RFC 9449) or mtls (its TLS client certificate, RFC 8705)',
  })
  requiredBinding: TokenBinding;
  @ApiProperty({ type: [GrantDto] }) grants: GrantDto[];
  @ApiProperty({ type: [ClientSecretDto] }) secrets: ClientSecretDto[];
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    format: 'date-time',
    description: 'Tokens issued before this time are refused',
  })
  tokensValidAfter: string | null;
  @ApiPropertyOptional({
    nullable: true,
    allOf: [{ $ref: '#/components/schemas/JsonWebKeySet' }],
    description: 'Public keys (private_key_jwt clients), with certificates (self_signed_tls_client_auth clients)',
  })
  jwks: JSONWebKeySet | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}
