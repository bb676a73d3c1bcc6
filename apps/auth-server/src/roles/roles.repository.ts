import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { type EntityManager, In, type Repository } from 'typeorm';
import type { Transaction } from '../database/unit-of-work.js';
import { RoleGrantEntity } from './role-grant.entity.js';
import { RoleEntity } from './role.entity.js';
import { UserRoleEntity } from './user-role.entity.js';

export type { RoleEntity } from './role.entity.js';

export type RoleChanges = Partial<Pick<RoleEntity, 'name' | 'description' | 'updatedAt'>>;

/** Roles, the scopes they give per resource, and who holds them (users by id). */
@Injectable()
export class RolesRepository {
  constructor(@InjectEntityManager() private readonly manager: EntityManager) {}

  /** By name. */
  list(): Promise<RoleEntity[]> {
    return this.roles().find({ order: { name: 'ASC' } });
  }

  findById(id: string): Promise<RoleEntity | null> {
    return this.roles().findOneBy({ id });
  }

  findByNames(names: string[], tx?: Transaction): Promise<RoleEntity[]> {
    return names.length ? this.roles(tx).findBy({ name: In(names) }) : Promise.resolve([]);
  }

  existsWithName(name: string, tx?: Transaction): Promise<boolean> {
    return this.roles(tx).existsBy({ name });
  }

  async insert(role: RoleEntity, tx?: Transaction): Promise<void> {
    await this.roles(tx).insert(role);
  }

  async update(id: string, changes: RoleChanges, tx?: Transaction): Promise<void> {
    await this.roles(tx).update({ id }, changes);
  }

  async delete(id: string): Promise<void> {
    await this.roles().delete({ id });
  }

  /** Grants of these roles, with their resources. */
  grantsOf(roleIds: string[]): Promise<RoleGrantEntity[]> {
    return this.grants().find({ where: { roleId: In(roleIds) }, relations: { resource: true } });
  }

  async insertGrants(grants: RoleGrantEntity[], tx?: Transaction): Promise<void> {
    if (grants.length > 0) await this.grants(tx).insert(grants);
  }

  async replaceGrants(roleId: string, grants: RoleGrantEntity[], tx: Transaction): Promise<void> {
    await this.grants(tx).delete({ roleId });
    await this.insertGrants(grants, tx);
  }

  /** The grants of every role the user holds, with their resources. */
  grantsHeldBy(userId: string): Promise<RoleGrantEntity[]> {
    return this.grants()
      .createQueryBuilder('grant')
      .innerJoin(UserRoleEntity, 'userRole', 'userRole.roleId = grant.roleId')
      .innerJoinAndSelect('grant.resource', 'resource')
      .where('userRole.userId = :userId', { userId })
      .getMany();
  }

  /** Ids of the users holding the role. */
  async holdersOf(roleId: string): Promise<string[]> {
    const rows = await this.userRoles().find({ where: { roleId }, select: { userId: true } });
    return rows.map((row) => row.userId);
  }

  /** Which roles each of these users holds, with the roles. */
  heldBy(userIds: string[]): Promise<UserRoleEntity[]> {
    return this.userRoles().find({ where: { userId: In(userIds) }, relations: { role: true } });
  }

  holdsRoleNamed(userId: string, name: string, tx?: Transaction): Promise<boolean> {
    return this.userRoles(tx)
      .createQueryBuilder('ur')
      .innerJoin(RoleEntity, 'role', 'role.id = ur.roleId')
      .where('ur.userId = :userId AND role.name = :name', { userId, name })
      .getExists();
  }

  async give(userId: string, roleIds: string[], tx?: Transaction): Promise<void> {
    if (roleIds.length > 0) await this.userRoles(tx).insert(roleIds.map((roleId) => ({ userId, roleId })));
  }

  async takeAll(userId: string, tx?: Transaction): Promise<void> {
    await this.userRoles(tx).delete({ userId });
  }

  private roles(tx?: Transaction): Repository<RoleEntity> {
    return (tx ?? this.manager).getRepository(RoleEntity);
  }

  private grants(tx?: Transaction): Repository<RoleGrantEntity> {
    return (tx ?? this.manager).getRepository(RoleGrantEntity);
  }

  private userRoles(tx?: Transaction): Repository<UserRoleEntity> {
    return (tx ?? this.manager).getRepository(UserRoleEntity);
  }
}
