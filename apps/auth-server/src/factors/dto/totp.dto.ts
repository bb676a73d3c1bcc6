import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

export class TotpStatusDto {
  @ApiProperty({ description: 'An authenticator app is set up and asked for at sign-in' }) enabled: boolean;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) enabledAt: string | null;
}

export class TotpSetupDto {
  @ApiProperty({ example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', description: 'The shared secret (base32), to type in' })
  secret: string;
  @ApiProperty({
    example: 'otpauth://totp/Tollgate:dana%40example.com?issuer=Tollgate&secret=…&algorithm=SHA1&digits=6&period=30',
    description: 'The same secret as a key URI, for a QR code',
  })
  uri: string;
}

export class ConfirmTotpDto {
  @ApiProperty({ example: '123456', description: 'The 6-digit code the app shows now' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be the 6 digits the app shows' })
  code: string;
}

export class TotpEnabledDto extends TotpStatusDto {
  @ApiProperty({
    type: [String],
    required: false,
    description: 'With your first second factor only: your recovery codes, shown this once',
  })
  recoveryCodes?: string[];
}
