import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { UserDto } from '../../users/dto/user.dto.js';

export class LoginDto {
  @ApiProperty({ example: 'dana@example.com' })
  @IsString()
  @MinLength(1)
  @MaxLength(254)
  email: string;

  @ApiProperty({ format: 'password' })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password: string;
}

export class SessionDto {
  @ApiProperty({ type: UserDto }) user: UserDto;
  @ApiProperty({ description: 'Send it as the X-CSRF-Token header on every POST, PUT, PATCH and DELETE made with the session cookie' }) csrfToken: string;
  @ApiProperty({ description: 'The session ends at this time whatever the activity' }) expiresAt: string;
  @ApiProperty({ description: 'The session also ends after this many seconds without a request' }) idleTimeoutSeconds: number;
}
