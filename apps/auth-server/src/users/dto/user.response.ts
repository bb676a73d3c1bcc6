import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { UserEntity, UserKind } from '../user.entity.js';
import { USER_KINDS } from './user-fields.js';

export class UserDto {
  @ApiProperty() id: string;
  @ApiProperty() email: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: USER_KINDS }) kind: UserKind;
  @ApiProperty() disabled: boolean;
  @ApiProperty({ type: [String], description: 'Role names' }) roles: string[];
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) lastLoginAt: string | null;
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
