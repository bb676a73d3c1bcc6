import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { ROLE_NAME_PATTERN } from '../../roles/dto/role-name.js';
import { PASSWORD_DESCRIPTION, trim } from './user-fields.js';

export class UpdateUserDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  displayName?: string;

  @ApiPropertyOptional({
    description: `Sets a new password (${PASSWORD_DESCRIPTION}); ends the user's sessions`,
    format: 'password',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  password?: string;

  @ApiPropertyOptional({ description: 'A disabled user cannot sign in; their sessions and PATs stop working at once' })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;

  @ApiPropertyOptional({ description: 'Replaces the user’s roles' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(ROLE_NAME_PATTERN, { each: true, message: 'each role must be a role name' })
  roles?: string[];
}
