import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type {
  AuthenticationExtensionsClientOutputs,
  AuthenticatorAttachment,
  AuthenticatorTransportFuture,
} from '@simplewebauthn/server';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';

/** WebAuthn's JSON encodings of binary fields: base64url without padding. */
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const base64url = (name: string) => ({ message: `${name} must be base64url` });
/** A credential id is at most 1,023 bytes (WebAuthn §5.1): 1,364 base64url characters. */
const CREDENTIAL_ID_LENGTH = 1400;

class Base64UrlFields {
  @ApiProperty({ description: 'The client data (base64url)' })
  @IsString()
  @MaxLength(4096)
  @Matches(BASE64URL, base64url('clientDataJSON'))
  clientDataJSON: string;
}

export class AttestationResponseDto extends Base64UrlFields {
  @ApiProperty({ description: 'The attestation object, CBOR (base64url)' })
  @IsString()
  @MaxLength(32_768)
  @Matches(BASE64URL, base64url('attestationObject'))
  attestationObject: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(32_768)
  @Matches(BASE64URL, base64url('authenticatorData'))
  authenticatorData?: string;

  @ApiPropertyOptional({ type: [String], example: ['internal', 'hybrid'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @MaxLength(32, { each: true })
  transports?: AuthenticatorTransportFuture[];

  @ApiPropertyOptional({ example: -7 })
  @IsOptional()
  @IsInt()
  publicKeyAlgorithm?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  @Matches(BASE64URL, base64url('publicKey'))
  publicKey?: string;
}

export class AssertionResponseDto extends Base64UrlFields {
  @ApiProperty()
  @IsString()
  @MaxLength(32_768)
  @Matches(BASE64URL, base64url('authenticatorData'))
  authenticatorData: string;

  @ApiProperty()
  @IsString()
  @MaxLength(1024)
  @Matches(BASE64URL, base64url('signature'))
  signature: string;

  @ApiPropertyOptional({ description: 'The user handle a discoverable passkey returns (base64url)' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  @Matches(BASE64URL, base64url('userHandle'))
  userHandle?: string;
}

class PublicKeyCredentialFields {
  @ApiProperty({ description: 'The credential id (base64url)' })
  @IsString()
  @MinLength(16)
  @MaxLength(CREDENTIAL_ID_LENGTH)
  @Matches(BASE64URL, base64url('id'))
  id: string;

  @ApiProperty({ description: 'The same credential id (base64url)' })
  @IsString()
  @MaxLength(CREDENTIAL_ID_LENGTH)
  @Matches(BASE64URL, base64url('rawId'))
  rawId: string;

  @ApiProperty({ enum: ['public-key'] })
  @IsIn(['public-key'])
  type: 'public-key';

  @ApiProperty({ type: 'object', additionalProperties: true })
  @IsObject()
  clientExtensionResults: AuthenticationExtensionsClientOutputs;

  @ApiPropertyOptional({ enum: ['platform', 'cross-platform'] })
  @IsOptional()
  @IsIn(['platform', 'cross-platform'])
  authenticatorAttachment?: AuthenticatorAttachment;
}

/** What navigator.credentials.create() gave, as JSON (WebAuthn Level 3 `RegistrationResponseJSON`). */
export class RegistrationCredentialDto extends PublicKeyCredentialFields {
  @ApiProperty({ type: AttestationResponseDto })
  @IsObject()
  @ValidateNested()
  @Type(() => AttestationResponseDto)
  response: AttestationResponseDto;
}

/** What navigator.credentials.get() gave, as JSON (WebAuthn Level 3 `AuthenticationResponseJSON`). */
export class AssertionCredentialDto extends PublicKeyCredentialFields {
  @ApiProperty({ type: AssertionResponseDto })
  @IsObject()
  @ValidateNested()
  @Type(() => AssertionResponseDto)
  response: AssertionResponseDto;
}
