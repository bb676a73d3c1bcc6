import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CLOCK, type Clock } from '@tollgate/platform';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager, In } from 'typeorm';
import { AuditService, type AuditActor } from '../audit/audit.service.js';
import { MANAGEMENT_SCOPES } from '../common/management-api.js';
import type { GrantDto } from '../common/dto/grant.dto.js';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import { ResourcesService } from '../resources/resources.service.js';
import type { CreateRoleDto, RoleDto, UpdateRoleDto } from './dto/role.dto.js';
import { RoleGrantEntity } from './role-grant.entity.js';
import { RoleEntity } from './role.entity.js';
import { UserChanges } from './user-changes.js';
import { UserRoleEntity } from './user-role.entity.js';

/** The role that gives people (and their PATs) scope `admin` on the management API. */
export const ADMIN_ROLE = 'admin';

@Injectable()
export class RolesService implements OnApplicationBootstrap {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly resources: ResourcesService,
    private readonly userChanges: UserChanges,
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureAdminRole();
  }

  async list(): Promise<RoleDto[]> {
    return this.describe(await this.dataSource.getRepository(RoleEntity).find({ order: { name: 'ASC' } }));
  }

  async get(id: string): Promise<RoleDto> {
    const [role] = await this.describe([await this.find(id)]);
    return role;
  }

  async create(input: CreateRoleDto, actor: AuditActor): Promise<RoleDto> {
    const now = this.clock.now();
    const role: RoleEntity = { id: randomUUID(), name: input.name, description: input.description || null, system: false, createdAt: now, updatedAt: now };
    await this.dataSource.transaction(async (manager) => {
      if (await manager.existsBy(RoleEntity, { name: input.name })) throw new ConflictException(`A role named ${input.name} already exists`);
      const grants = await this.grantRows(manager, role.id, input.grants);
      await manager.insert(RoleEntity, role);
      if (grants.length > 0) await manager.insert(RoleGrantEntity, grants);
    });
    await this.audit.record({ action: 'role.created', outcome: 'success', actor, details: { roleId: role.id, name: role.name, grants: input.grants } });
    return this.get(role.id);
  }

  async update(id: string, input: UpdateRoleDto, actor: AuditActor): Promise<RoleDto> {
    const role = await this.find(id);
    if (role.system && (input.grants !== undefined || (input.name !== undefined && input.name !== role.name))) throw new ConflictException(`The ${role.name} role is built in: its name and grants are fixed`);
    await this.dataSource.transaction(async (manager) => {
      if (input.name !== undefined && input.name !== role.name && (await manager.existsBy(RoleEntity, { name: input.name }))) throw new ConflictException(`A role named ${input.name} already exists`);
      if (input.grants) {
        const grants = await this.grantRows(manager, id, input.grants);
        await manager.delete(RoleGrantEntity, { roleId: id });
        if (grants.length > 0) await manager.insert(RoleGrantEntity, grants);
      }
      await manager.update(RoleEntity, { id }, {
        ...(input.name !== undefined && { name: input.name }),
        ...(input.description !== undefined && { description: input.description || null }),
        updatedAt: this.clock.now(),
      });
    });
    if (input.grants) await this.announceChangedUsers(id);
    await this.audit.record({ action: 'role.updated', outcome: 'success', actor, details: { roleId: id, name: input.name ?? role.name, changes: Object.keys(input), ...(input.grants && { grants: input.grants }) } });
    return this.get(id);
  }

  async remove(id: string, actor: AuditActor): Promise<void> {
    const role = await this.find(id);
    if (role.system) throw new ConflictException(`The ${role.name} role is built in and cannot be deleted`);
    const holders = await this.holdersOf(id);
    await this.dataSource.getRepository(RoleEntity).delete({ id });
    await this.userChanges.announce(holders);
    await this.audit.record({ action: 'role.deleted', outcome: 'success', actor, details: { roleId: id, name: role.name } });
  }

  /** The roles with these names; a 400 naming any that do not exist. */
  async findByNames(names: string[], manager: EntityManager = this.dataSource.manager): Promise<RoleEntity[]> {
    const unique = [...new Set(names)];
    const roles = unique.length ? await manager.findBy(RoleEntity, { name: In(unique) }) : [];
    const unknown = unique.filter((name) => !roles.some((role) => role.name === name));
    if (unknown.length > 0) throw new BadRequestException(`Unknown role ${unknown.join(', ')}`);
    return roles;
  }

  /** Resource servers drop what they cached for the role's users, so narrowed scopes apply at once. */
  private async announceChangedUsers(roleId: string): Promise<void> {
    await this.userChanges.announce(await this.holdersOf(roleId));
  }

  private async holdersOf(roleId: string): Promise<string[]> {
    const rows = await this.dataSource.getRepository(UserRoleEntity).find({ where: { roleId }, select: { userId: true } });
    return rows.map((row) => row.userId);
  }

  private async grantRows(manager: EntityManager, roleId: string, grants: GrantDto[]): Promise<RoleGrantEntity[]> {
    const resolved = await this.resources.resolveGrants(grants, manager);
    return resolved.map(({ resource, scopes }) => ({ id: randomUUID(), roleId, resourceId: resource.id, scopes }));
  }

  private async find(id: string): Promise<RoleEntity> {
    const role = await this.dataSource.getRepository(RoleEntity).findOneBy({ id });
    if (!role) throw new NotFoundException(`Role ${id} not found`);
    return role;
  }

  /** Creates the built-in admin role once; safe when several instances start together (unique name). */
  private async ensureAdminRole(): Promise<void> {
    const roles = this.dataSource.getRepository(RoleEntity);
    if (await roles.existsBy({ name: ADMIN_ROLE })) return;
    const managementApi = await this.resources.findByIndicator(this.config.managementApiIndicator);
    if (!managementApi) throw new Error('The management API resource is missing; bootstrap has not run');
    const now = this.clock.now();
    const id = randomUUID();
    try {
      await this.dataSource.transaction(async (manager) => {
        await manager.insert(RoleEntity, { id, name: ADMIN_ROLE, description: 'Administers Tollgate (scope admin on the management API)', system: true, createdAt: now, updatedAt: now });
        await manager.insert(RoleGrantEntity, { id: randomUUID(), roleId: id, resourceId: managementApi.id, scopes: [MANAGEMENT_SCOPES.admin] });
      });
    } catch (error) {
      if (!(await roles.existsBy({ name: ADMIN_ROLE }))) throw error;
    }
  }

  private async describe(roles: RoleEntity[]): Promise<RoleDto[]> {
    if (roles.length === 0) return [];
    const grants = await this.dataSource.getRepository(RoleGrantEntity).find({ where: { roleId: In(roles.map((r) => r.id)) }, relations: { resource: true } });
    return roles.map((role) => ({
      id: role.id,
      name: role.name,
      description: role.description,
      system: role.system,
      grants: grants.filter((g) => g.roleId === role.id).map((g) => ({ resource: g.resource!.indicator, scopes: g.scopes })),
      createdAt: role.createdAt.toISOString(),
      updatedAt: role.updatedAt.toISOString(),
    }));
  }
}
