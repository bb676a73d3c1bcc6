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
}
