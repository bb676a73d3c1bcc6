import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const DESCRIBED = 'Pass to navigator.credentials.get()/create() after decoding (or to @simplewebauthn/browser as is)';

/** WebAuthn Level 3 `PublicKeyCredentialRequestOptionsJSON`: what navigator.credentials.get() needs. */
export class PasskeyRequestOptionsDto {
  @ApiProperty({ description: `Single use, valid 5 minutes (base64url). ${DESCRIBED}` }) challenge: string;
  @ApiProperty({ example: 'tollgate.example.com', description: 'The relying party: the issuer’s host name' })
  rpId?: string;
  @ApiProperty({ example: 300000 }) timeout?: number;
  @ApiProperty({ enum: ['required', 'preferred', 'discouraged'] }) userVerification?: string;
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'Empty for a passkey sign-in (any passkey of this site); the user’s passkeys otherwise',
  })
  allowCredentials?: object[];
}

/** WebAuthn Level 3 `PublicKeyCredentialCreationOptionsJSON`: what navigator.credentials.create() needs. */
export class PasskeyCreationOptionsDto {
  @ApiProperty({ description: `Single use, valid 5 minutes (base64url). ${DESCRIBED}` }) challenge: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { id: 'tollgate.example.com', name: 'Tollgate' },
  })
  rp: object;
  @ApiProperty({ type: 'object', additionalProperties: true }) user: object;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) pubKeyCredParams: object[];
  @ApiPropertyOptional({ example: 300000 }) timeout?: number;
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'The passkeys the user has already',
  })
  excludeCredentials?: object[];
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) authenticatorSelection?: object;
  @ApiPropertyOptional({ example: 'none' }) attestation?: string;
}
