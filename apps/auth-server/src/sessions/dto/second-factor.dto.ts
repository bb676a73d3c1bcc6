import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { AssertionCredentialDto } from '../../factors/dto/webauthn-credential.dto.js';
import type { SecondFactorMethod } from '../../factors/sign-in-factors.service.js';

const METHODS: SecondFactorMethod[] = ['passkey', 'totp', 'recovery_code'];

/** POST /api/session answers 202 with this when the password was right and a second factor is due. */
export class SecondFactorRequiredDto {
  @ApiProperty({ enum: [true] }) secondFactorRequired: true;
  @ApiProperty({ enum: METHODS, isArray: true, description: 'What you can use for the second step' })
  methods: SecondFactorMethod[];
  @ApiProperty({ format: 'date-time', description: 'Finish the second step before this time, or sign in again' })
  expiresAt: string;
}

/** The second step of a sign-in: exactly one of a code from the app, a recovery code, or a passkey's answer. */
export class SecondFactorDto {
  @ApiPropertyOptional({ example: '123456', description: 'The 6-digit code your authenticator app shows' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be the 6 digits the app shows' })
  code?: string;

  @ApiPropertyOptional({ example: '7k2m-9xq4-h3fd-w8rt', description: 'One of your recovery codes (used up)' })
  @IsOptional()
  @IsString()
  @MinLength(16)
  @MaxLength(40)
  recoveryCode?: string;

  @ApiPropertyOptional({
    type: AssertionCredentialDto,
    description: 'The answer to POST /api/session/second-factor/options: navigator.credentials.get() as JSON',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AssertionCredentialDto)
  passkey?: AssertionCredentialDto;
}

export class PasskeySignInDto {
  @ApiProperty({
    type: AssertionCredentialDto,
    description: 'The answer to POST /api/session/passkey/options: navigator.credentials.get() as JSON',
  })
  @IsObject()
  @ValidateNested()
  @Type(() => AssertionCredentialDto)
  passkey: AssertionCredentialDto;
}

/** Re-authentication (before changing sign-in factors): exactly one of the password or a passkey's answer. */
export class ReauthenticateDto {
  @ApiPropertyOptional({ format: 'password' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password?: string;

  @ApiPropertyOptional({
    type: AssertionCredentialDto,
    description: 'The answer to POST /api/session/reauthenticate/options: navigator.credentials.get() as JSON',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AssertionCredentialDto)
  passkey?: AssertionCredentialDto;
}
