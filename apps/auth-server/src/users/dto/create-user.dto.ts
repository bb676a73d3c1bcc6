import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { ROLE_NAME_PATTERN } from '../../roles/dto/role-name.js';
import type { UserKind } from '../user.entity.js';
import { PASSWORD_DESCRIPTION, USER_KINDS, trim } from './user-fields.js';

export class CreateUserDto {
  @ApiProperty({
    example: 'dana@example.com',
    description: 'Unique; stored in lower case. For a service account, any unique address naming it.',
  })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'Dana Scully' })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  displayName: string;

  @ApiPropertyOptional({
    enum: USER_KINDS,
    default: 'person',
    description: 'A service account belongs to the organisation, cannot sign in; admins create its PATs',
  })
  @IsOptional()
  @IsIn(USER_KINDS)
  kind?: UserKind;

  @ApiPropertyOptional({ description: `Required for a person: ${PASSWORD_DESCRIPTION}`, format: 'password' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  password?: string;

  @ApiPropertyOptional({ example: ['crm-editor'], description: 'Role names' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(ROLE_NAME_PATTERN, { each: true, message: 'each role must be a role name' })
  roles?: string[];
}
