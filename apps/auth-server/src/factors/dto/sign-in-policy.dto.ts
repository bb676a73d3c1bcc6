import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';

export class SignInPolicyDto {
  @ApiProperty({
    example: true,
    description:
      'People holding the admin scope must sign in with a second factor (passkey or authenticator app); one without gets a session that can only set one up',
  })
  @IsBoolean()
  requireSecondFactorForAdmins: boolean;
}
