import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CLOCK, type Clock } from '@tollgate/platform';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager, In } from 'typeorm';
import { AuditService, type AuditActor } from '../audit/audit.service.js';
import { RevocationFeedService } from '../revocations/revocation-feed.service.js';
import { RoleEntity } from '../roles/role.entity.js';
import { ADMIN_ROLE, RolesService } from '../roles/roles.service.js';
import { UserChanges } from '../roles/user-changes.js';
import { UserRoleEntity } from '../roles/user-role.entity.js';
import type { CreateUserDto, ListUsersQueryDto, UpdateUserDto } from './dto/user.dto.js';
import { UserDto } from './dto/user.dto.js';
import { PasswordHasher } from './password-hasher.js';
import { normaliseEmail, passwordProblem } from './user-identity.js';
import { UserEntity } from './user.entity.js';

@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly roles: RolesService,
    private readonly passwords: PasswordHasher,
    private readonly audit: AuditService,
    private readonly feed: RevocationFeedService,
    private readonly userChanges: UserChanges,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(query: ListUsersQueryDto): Promise<UserDto[]> {
    const users = await this.dataSource.getRepository(UserEntity).find({
      where: { ...(query.email && { email: normaliseEmail(query.email) }), ...(query.kind && { kind: query.kind }) },
      order: { createdAt: 'ASC', id: 'ASC' },
      take: query.limit ?? 100,
      skip: query.offset ?? 0,
    });
    return this.describe(users);
  }

  async get(id: string): Promise<UserDto> {
    const [user] = await this.describe([await this.require(id)]);
    return user;
  }

  /** The user, or a 404. */
  async require(id: string): Promise<UserEntity> {
    const user = await this.dataSource.getRepository(UserEntity).findOneBy({ id });
    if (!user) throw new NotFoundException(`User ${id} not found`);
    return user;
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.dataSource.getRepository(UserEntity).findOneBy({ email: normaliseEmail(email) });
  }

  async create(input: CreateUserDto, actor: AuditActor): Promise<UserDto> {
    const email = normaliseEmail(input.email);
    const kind = input.kind ?? 'person';
    const passwordHash = await this.passwordHashFor(kind, email, input.password);
    const now = this.clock.now();
    const user: UserEntity = { id: randomUUID(), email, displayName: input.displayName, kind, passwordHash, passwordChangedAt: passwordHash ? now : null, exchangedTokensValidAfter: null, disabled: false, lastLoginAt: null, createdAt: now, updatedAt: now };
    await this.dataSource.transaction(async (manager) => {
      if (await manager.existsBy(UserEntity, { email })) throw new ConflictException(`A user with email ${email} already exists`);
      const roles = await this.roles.findByNames(input.roles ?? [], manager);
      await manager.insert(UserEntity, user);
      if (roles.length > 0) await manager.insert(UserRoleEntity, roles.map((role) => ({ userId: user.id, roleId: role.id })));
    });
    await this.audit.record({ action: 'user.created', outcome: 'success', actor, credential: { type: 'user', id: user.id }, details: { email, kind, roles: input.roles ?? [] } });
    return this.get(user.id);
  }

  async update(id: string, input: UpdateUserDto, actor: AuditActor): Promise<UserDto> {
    const user = await this.require(id);
    if (input.disabled === true && actor.type === 'user' && actor.id === id) throw new ConflictException('You cannot disable yourself');
    const email = input.email !== undefined ? normaliseEmail(input.email) : user.email;
    if (input.password !== undefined && user.kind === 'service_account') throw new BadRequestException('A service account has no password: it never signs in');
    const passwordHash = input.password !== undefined ? await this.passwordHashFor(user.kind, email, input.password) : undefined;
    if (passwordHash === undefined && email !== user.email && user.passwordHash) {
      // The new email must not be the current password: checked by signing in with it.
      if ((await this.passwords.verify(user.passwordHash, email)).valid) throw new BadRequestException('password must not be the email address: set a new password with the new email');
    }
    const now = this.clock.now();
    const roleNames = input.roles;
    await this.dataSource.transaction(async (manager) => {
      if (email !== user.email && (await manager.existsBy(UserEntity, { email }))) throw new ConflictException(`A user with email ${email} already exists`);
      if (roleNames) await this.replaceRoles(manager, user, roleNames, actor);
      await manager.update(UserEntity, { id }, {
        ...(email !== user.email && { email }),
        ...(input.displayName !== undefined && { displayName: input.displayName }),
        ...(input.disabled !== undefined && { disabled: input.disabled }),
        ...(passwordHash && { passwordHash, passwordChangedAt: now }),
        updatedAt: now,
      });
    });
    const action = input.disabled === true && !user.disabled ? 'user.disabled' : input.disabled === false && user.disabled ? 'user.enabled' : 'user.updated';
    // Resource servers refuse the user's exchanged JWTs and drop cached PAT answers at once.
    if (action === 'user.disabled') await this.feed.publish({ type: 'subject.revoked_before', kind: 'user', id, before: now.getTime() });
    else if (action === 'user.enabled' || roleNames || email !== user.email) await this.userChanges.announce([id]);
    await this.audit.record({ action, outcome: 'success', actor, credential: { type: 'user', id }, details: { changes: Object.keys(input), ...(roleNames && { roles: roleNames }) } });
    return this.get(id);
  }

  async setRoles(id: string, roleNames: string[], actor: AuditActor): Promise<UserDto> {
    const user = await this.require(id);
    const before = await this.roleNamesOf(id);
    await this.dataSource.transaction((manager) => this.replaceRoles(manager, user, roleNames, actor));
    await this.userChanges.announce([id]);
    await this.audit.record({ action: 'user.roles.changed', outcome: 'success', actor, credential: { type: 'user', id }, details: { before, after: [...new Set(roleNames)].sort() } });
    return this.get(id);
  }

  /** Deletes the user with their roles, sessions and PATs (which stop working at once). */
  async remove(id: string, actor: AuditActor): Promise<void> {
    const user = await this.require(id);
    if (actor.type === 'user' && actor.id === id) throw new ConflictException('You cannot delete yourself');
    await this.dataSource.getRepository(UserEntity).delete({ id });
    await this.feed.publish({ type: 'subject.revoked_before', kind: 'user', id, before: this.clock.now().getTime() });
    await this.audit.record({ action: 'user.deleted', outcome: 'success', actor, credential: { type: 'user', id }, details: { email: user.email, kind: user.kind } });
  }

  /** After a successful sign-in: remember when, and upgrade the password hash if its parameters are outdated. */
  async recordLogin(user: UserEntity, password: string, rehash: boolean): Promise<void> {
    const now = this.clock.now();
    await this.dataSource.getRepository(UserEntity).update({ id: user.id }, { lastLoginAt: now, ...(rehash && { passwordHash: await this.passwords.hash(password) }) });
  }

  async roleNamesOf(userId: string): Promise<string[]> {
    const rows = await this.dataSource.getRepository(UserRoleEntity).find({ where: { userId }, relations: { role: true } });
    return rows.map((row) => row.role!.name).sort();
  }

  private async replaceRoles(manager: EntityManager, user: UserEntity, roleNames: string[], actor: AuditActor): Promise<void> {
    const roles = await this.roles.findByNames(roleNames, manager);
    if (actor.type === 'user' && actor.id === user.id && !roles.some((role) => role.name === ADMIN_ROLE)) {
      const hadAdmin = await manager.createQueryBuilder(UserRoleEntity, 'ur').innerJoin(RoleEntity, 'role', 'role.id = ur.roleId').where('ur.userId = :userId AND role.name = :admin', { userId: user.id, admin: ADMIN_ROLE }).getExists();
      if (hadAdmin) throw new ConflictException('You cannot remove your own admin role');
    }
    await manager.delete(UserRoleEntity, { userId: user.id });
    if (roles.length > 0) await manager.insert(UserRoleEntity, roles.map((role) => ({ userId: user.id, roleId: role.id })));
  }

  private async passwordHashFor(kind: UserEntity['kind'], email: string, password: string | undefined): Promise<string | null> {
    if (kind === 'service_account') {
      if (password !== undefined) throw new BadRequestException('A service account has no password: it never signs in');
      return null;
    }
    if (password === undefined) throw new BadRequestException('password is required for a person');
    const problem = passwordProblem(password, email);
    if (problem) throw new BadRequestException(problem);
    return this.passwords.hash(password);
  }

  private async describe(users: UserEntity[]): Promise<UserDto[]> {
    if (users.length === 0) return [];
    const rows = await this.dataSource.getRepository(UserRoleEntity).find({ where: { userId: In(users.map((u) => u.id)) }, relations: { role: true } });
    return users.map((user) => UserDto.from(user, rows.filter((row) => row.userId === user.id).map((row) => row.role!.name)));
  }
}
