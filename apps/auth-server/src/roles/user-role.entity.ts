import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { RoleEntity } from './role.entity.js';

/** A role given to a user. */
@Entity('user_roles')
export class UserRoleEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  userId: string;

  // The users table named, not imported: roles know their holders by id only (users import roles).
  @ManyToOne('UserEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'userId', foreignKeyConstraintName: 'fk_user_roles_user' })
  user?: object;

  @Index('idx_user_roles_role')
  @PrimaryColumn({ type: 'varchar', length: 36 })
  roleId: string;

  @ManyToOne(() => RoleEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'roleId', foreignKeyConstraintName: 'fk_user_roles_role' })
  role?: RoleEntity;
}
