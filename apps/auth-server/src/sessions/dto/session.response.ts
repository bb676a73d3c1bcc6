import { ApiProperty } from '@nestjs/swagger';
import { UserDto } from '../../users/dto/user.response.js';

export class SessionDto {
  @ApiProperty({ type: UserDto }) user: UserDto;
  @ApiProperty({
    description: 'Send it as the X-CSRF-Token header on every POST, PUT, PATCH and DELETE made with the session cookie',
  })
  csrfToken: string;
  @ApiProperty({ description: 'The session ends at this time whatever the activity' }) expiresAt: string;
  @ApiProperty({ description: 'The session also ends after this many seconds without a request' })
  idleTimeoutSeconds: number;
  @ApiProperty({
    format: 'date-time',
    description:
      'When you last proved who you are here (sign-in or re-authentication); changing sign-in factors wants it within 10 minutes',
  })
  authenticatedAt: string;
  @ApiProperty({
    description:
      'The sign-in policy requires you (an administrator) to set up a passkey or an authenticator app: until you do, this session can only do that',
  })
  secondFactorSetupRequired: boolean;
}
