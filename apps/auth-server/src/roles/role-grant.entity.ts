import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ResourceEntity } from '../resources/resource.entity.js';
import { RoleEntity } from './role.entity.js';

/** The scopes a role gives on one resource. */
@Entity('role_grants')
@Index('uq_role_grants_role_resource', ['roleId', 'resourceId'], { unique: true })
export class RoleGrantEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  roleId: string;

  @ManyToOne(() => RoleEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'roleId', foreignKeyConstraintName: 'fk_role_grants_role' })
  role?: RoleEntity;

  @Column({ type: 'varchar', length: 36 })
  resourceId: string;

  @ManyToOne(() => ResourceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'resourceId', foreignKeyConstraintName: 'fk_role_grants_resource' })
  resource?: ResourceEntity;

  @Column({ type: 'simple-json' })
  scopes: string[];
}
