import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  NotFoundException,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { MANAGEMENT_SCOPES } from '@tollgate/credentials';
import { CLOCK, type Clock } from '@tollgate/platform';
import { randomUUID } from 'node:crypto';
import { AuditService, type AuditActor } from '../audit/audit.service.js';
import type { GrantDto } from '../common/dto/grant.dto.js';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import { type Transaction, UnitOfWork } from '../database/unit-of-work.js';
import { ResourcesService } from '../resources/resources.service.js';
import type { CreateRoleDto } from './dto/create-role.dto.js';
import type { RoleDto } from './dto/role.response.js';
import type { UpdateRoleDto } from './dto/update-role.dto.js';
import type { RoleGrantEntity } from './role-grant.entity.js';
import type { RoleEntity } from './role.entity.js';
import { RolesRepository } from './roles.repository.js';

/** The role that gives people (and their PATs) scope `admin` on the management API. */
export const ADMIN_ROLE = 'admin';

/** Told which users' scopes changed with a role's (the users feature announces them to verifiers). */
export type RoleHoldersListener = (userIds: readonly string[]) => Promise<void>;

@Injectable()
export class RolesService implements OnApplicationBootstrap {
  private holdersListener?: RoleHoldersListener;

  constructor(
    private readonly roles: RolesRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly audit: AuditService,
    private readonly resources: ResourcesService,
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The users feature listens here: roles know their holders only by id. */
  whenHoldersChange(listener: RoleHoldersListener): void {
    this.holdersListener = listener;
  }

  /** Role changes must reach the users' verifiers: without the listener they would silently not. */
  private holdersChanged(userIds: readonly string[]): Promise<void> {
    if (!this.holdersListener)
      throw new Error('Nothing announces the changes of role holders (is UsersModule loaded?)');
    return this.holdersListener(userIds);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureAdminRole();
  }

  async list(): Promise<RoleDto[]> {
    return this.describe(await this.roles.list());
  }

  async get(id: string): Promise<RoleDto> {
    const [role] = await this.describe([await this.find(id)]);
    return role;
  }

  async create(input: CreateRoleDto, actor: AuditActor): Promise<RoleDto> {
    const now = this.clock.now();
    const role: RoleEntity = {
      id: randomUUID(),
      name: input.name,
      description: input.description || null,
      system: false,
      createdAt: now,
      updatedAt: now,
    };
    await this.unitOfWork.run(async (tx) => {
      if (await this.roles.existsWithName(input.name, tx))
        throw new ConflictException(`A role named ${input.name} already exists`);
      const grants = await this.grantRows(tx, role.id, input.grants);
      await this.roles.insert(role, tx);
      await this.roles.insertGrants(grants, tx);
    });
    await this.audit.record({
      action: 'role.created',
      outcome: 'success',
      actor,
      details: { roleId: role.id, name: role.name, grants: input.grants },
    });
    return this.get(role.id);
  }

  async update(id: string, input: UpdateRoleDto, actor: AuditActor): Promise<RoleDto> {
    const role = await this.find(id);
    if (role.system && (input.grants !== undefined || (input.name !== undefined && input.name !== role.name)))
      throw new ConflictException(`The ${role.name} role is built in: its name and grants are fixed`);
    await this.unitOfWork.run(async (tx) => {
      if (input.name !== undefined && input.name !== role.name && (await this.roles.existsWithName(input.name, tx)))
        throw new ConflictException(`A role named ${input.name} already exists`);
      if (input.grants) await this.roles.replaceGrants(id, await this.grantRows(tx, id, input.grants), tx);
      await this.roles.update(
        id,
        {
          ...(input.name !== undefined && { name: input.name }),
          ...(input.description !== undefined && { description: input.description || null }),
          updatedAt: this.clock.now(),
        },
        tx,
      );
    });
    if (input.grants) await this.announceChangedUsers(id);
    await this.audit.record({
      action: 'role.updated',
      outcome: 'success',
      actor,
      details: {
        roleId: id,
        name: input.name ?? role.name,
        changes: Object.keys(input),
        ...(input.grants && { grants: input.grants }),
      },
    });
    return this.get(id);
  }

  async remove(id: string, actor: AuditActor): Promise<void> {
    const role = await this.find(id);
    if (role.system) throw new ConflictException(`The ${role.name} role is built in and cannot be deleted`);
    const holders = await this.roles.holdersOf(id);
    await this.roles.delete(id);
    await this.holdersChanged(holders);
    await this.audit.record({
      action: 'role.deleted',
      outcome: 'success',
      actor,
      details: { roleId: id, name: role.name },
    });
  }

  /** The roles with these names; a 400 naming any that do not exist. */
  async findByNames(names: string[], tx?: Transaction): Promise<RoleEntity[]> {
    const unique = [...new Set(names)];
    const roles = await this.roles.findByNames(unique, tx);
    const unknown = unique.filter((name) => !roles.some((role) => role.name === name));
    if (unknown.length > 0) throw new BadRequestException(`Unknown role ${unknown.join(', ')}`);
    return roles;
  }

  /** Resource servers drop what they cached for the role's users, so narrowed scopes apply at once. */
  private async announceChangedUsers(roleId: string): Promise<void> {
    await this.holdersChanged(await this.roles.holdersOf(roleId));
  }

  /** The names of the roles each user holds, sorted. */
  async roleNamesOf(userIds: string[]): Promise<Map<string, string[]>> {
    const names = new Map<string, string[]>(userIds.map((id) => [id, []]));
    if (userIds.length === 0) return names;
    for (const row of await this.roles.heldBy(userIds)) names.get(row.userId)?.push(row.role!.name);
    for (const held of names.values()) held.sort();
    return names;
  }

  holdsRoleNamed(userId: string, name: string, tx?: Transaction): Promise<boolean> {
    return this.roles.holdsRoleNamed(userId, name, tx);
  }

  /** The user holds exactly these roles from now on. */
  async replaceRolesOf(userId: string, roles: RoleEntity[], tx: Transaction): Promise<void> {
    await this.roles.takeAll(userId, tx);
    await this.roles.give(
      userId,
      roles.map((role) => role.id),
      tx,
    );
  }

  async giveRoles(userId: string, roles: RoleEntity[], tx: Transaction): Promise<void> {
    await this.roles.give(
      userId,
      roles.map((role) => role.id),
      tx,
    );
  }

  private async grantRows(tx: Transaction, roleId: string, grants: GrantDto[]): Promise<RoleGrantEntity[]> {
    const resolved = await this.resources.resolveGrants(grants, tx);
    return resolved.map(({ resource, scopes }) => ({ id: randomUUID(), roleId, resourceId: resource.id, scopes }));
  }

  private async find(id: string): Promise<RoleEntity> {
    const role = await this.roles.findById(id);
    if (!role) throw new NotFoundException(`Role ${id} not found`);
    return role;
  }

  /** Creates the built-in admin role once; safe when several instances start together (unique name). */
  private async ensureAdminRole(): Promise<void> {
    if (await this.roles.existsWithName(ADMIN_ROLE)) return;
    const managementApi = await this.resources.findByIndicator(this.config.managementApiIndicator);
    if (!managementApi) throw new Error('The management API resource is missing; bootstrap has not run');
    const now = this.clock.now();
    const id = randomUUID();
    try {
      await this.unitOfWork.run(async (tx) => {
        await this.roles.insert(
          {
            id,
            name: ADMIN_ROLE,
            description: 'Administers Tollgate (scope admin on the management API)',
            system: true,
            createdAt: now,
            updatedAt: now,
          },
          tx,
        );
        await this.roles.insertGrants(
          [{ id: randomUUID(), roleId: id, resourceId: managementApi.id, scopes: [MANAGEMENT_SCOPES.admin] }],
          tx,
        );
      });
    } catch (error) {
      if (!(await this.roles.existsWithName(ADMIN_ROLE))) throw error;
    }
  }

  private async describe(roles: RoleEntity[]): Promise<RoleDto[]> {
    if (roles.length === 0) return [];
    const grants = await this.roles.grantsOf(roles.map((r) => r.id));
    return roles.map((role) => ({
      id: role.id,
      name: role.name,
      description: role.description,
      system: role.system,
      grants: grants
        .filter((g) => g.roleId === role.id)
        .map((g) => ({ resource: g.resource!.indicator, scopes: g.scopes })),
      createdAt: role.createdAt.toISOString(),
      updatedAt: role.updatedAt.toISOString(),
    }));
  }
}
