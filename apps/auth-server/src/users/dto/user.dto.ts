import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsEmail, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { ROLE_NAME_PATTERN } from '../../roles/dto/role.dto.js';
import type { UserEntity, UserKind } from '../user.entity.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../user-identity.js';

export const USER_KINDS: UserKind[] = ['person', 'service_account'];
const PASSWORD_DESCRIPTION = `${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} characters, not the email address; stored as an argon2id hash`;
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateUserDto {
  @ApiProperty({ example: 'dana@example.com', description: 'Unique; stored in lower case. For a service account, any unique address naming it.' })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'Dana Scully' })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  displayName: string;

  @ApiPropertyOptional({ enum: USER_KINDS, default: 'person', description: 'A service account belongs to the organisation, cannot sign in; admins create its PATs' })
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

  @ApiPropertyOptional({ description: `Sets a new password (${PASSWORD_DESCRIPTION}); ends the user's sessions`, format: 'password' })
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

export class SetUserRolesDto {
  @ApiProperty({ example: ['crm-editor'] })
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(ROLE_NAME_PATTERN, { each: true, message: 'each role must be a role name' })
  roles: string[];
}

export class ListUsersQueryDto {
  @ApiPropertyOptional({ description: 'Exact email (normalised)' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ enum: USER_KINDS })
  @IsOptional()
  @IsIn(USER_KINDS)
  kind?: UserKind;

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset?: number;
}

export class UserDto {
  @ApiProperty() id: string;
  @ApiProperty() email: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: USER_KINDS }) kind: UserKind;
  @ApiProperty() disabled: boolean;
  @ApiProperty({ type: [String], description: 'Role names' }) roles: string[];
  @ApiPropertyOptional() lastLoginAt: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;

  static from(user: UserEntity, roles: string[]): UserDto {
    return {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      kind: user.kind,
      disabled: user.disabled,
      roles: [...roles].sort(),
      lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
      createdAt: user.createdAt.toISOString(),
      updatedAt: user.updatedAt.toISOString(),
    };
  }
}

export class PermissionDto {
  @ApiProperty({ example: 'https://crm.tollgate.local' }) resource: string;
  @ApiProperty({ example: ['contacts:read'] }) scopes: string[];
}

export class MeDto {
  @ApiProperty({ type: UserDto }) user: UserDto;
  @ApiProperty({ type: [PermissionDto], description: 'Scopes held per resource, from the user’s roles, now: the most a new PAT may carry' }) permissions: PermissionDto[];
}
