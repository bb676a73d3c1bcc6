import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { CLOCK, type Clock } from '@tollgate/platform';
import { randomUUID } from 'node:crypto';
import { AuditService, type AuditActor } from '../audit/audit.service.js';
import { type Transaction, UnitOfWork } from '../database/unit-of-work.js';
import { RevocationFeedService } from '../revocations/revocation-feed.service.js';
import { ADMIN_ROLE, RolesService } from '../roles/roles.service.js';
import type { CreateUserDto } from './dto/create-user.dto.js';
import type { ListUsersQueryDto } from './dto/list-users.query.js';
import type { UpdateUserDto } from './dto/update-user.dto.js';
import { UserDto } from './dto/user.response.js';
import { PasswordHasher } from './password-hasher.js';
import { normaliseEmail, passwordProblem } from './user-identity.js';
import { UserChanges } from './user-changes.js';
import type { UserEntity } from './user.entity.js';
import { UsersRepository } from './users.repository.js';

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly roles: RolesService,
    private readonly passwords: PasswordHasher,
    private readonly audit: AuditService,
    private readonly feed: RevocationFeedService,
    private readonly userChanges: UserChanges,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(query: ListUsersQueryDto): Promise<UserDto[]> {
    const users = await this.users.page({
      email: query.email ? normaliseEmail(query.email) : undefined,
      kind: query.kind,
      limit: query.limit ?? 100,
      offset: query.offset ?? 0,
    });
    return this.describe(users);
  }

  async get(id: string): Promise<UserDto> {
    const [user] = await this.describe([await this.require(id)]);
    return user;
  }

  /** The user, or a 404. */
  async require(id: string): Promise<UserEntity> {
    const user = await this.users.findById(id);
    if (!user) throw new NotFoundException(`User ${id} not found`);
    return user;
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findById(id);
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.users.findByEmail(normaliseEmail(email));
  }

  async create(input: CreateUserDto, actor: AuditActor): Promise<UserDto> {
    const email = normaliseEmail(input.email);
    const kind = input.kind ?? 'person';
    const passwordHash = await this.passwordHashFor(kind, email, input.password);
    const now = this.clock.now();
    const user: UserEntity = {
      id: randomUUID(),
      email,
      displayName: input.displayName,
      kind,
      passwordHash,
      passwordChangedAt: passwordHash ? now : null,
      exchangedTokensValidAfter: null,
      disabled: false,
      lastLoginAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.unitOfWork.run(async (tx) => {
      if (await this.users.existsWithEmail(email, tx))
        throw new ConflictException(`A user with email ${email} already exists`);
      const roles = await this.roles.findByNames(input.roles ?? [], tx);
      await this.users.insert(user, tx);
      await this.roles.giveRoles(user.id, roles, tx);
    });
    await this.audit.record({
      action: 'user.created',
      outcome: 'success',
      actor,
      credential: { type: 'user', id: user.id },
      details: { email, kind, roles: input.roles ?? [] },
    });
    return this.get(user.id);
  }

  async update(id: string, input: UpdateUserDto, actor: AuditActor): Promise<UserDto> {
    const user = await this.require(id);
    if (input.disabled === true && actor.type === 'user' && actor.id === id)
      throw new ConflictException('You cannot disable yourself');
    const email = input.email !== undefined ? normaliseEmail(input.email) : user.email;
    if (input.password !== undefined && user.kind === 'service_account')
      throw new BadRequestException('A service account has no password: it never signs in');
    const passwordHash =
      input.password !== undefined ? await this.passwordHashFor(user.kind, email, input.password) : undefined;
    if (passwordHash === undefined && email !== user.email && user.passwordHash) {
      // The new email must not be the current password: checked by signing in with it.
      if ((await this.passwords.verify(user.passwordHash, email)).valid)
        throw new BadRequestException('password must not be the email address: set a new password with the new email');
    }
    const now = this.clock.now();
    const roleNames = input.roles;
    await this.unitOfWork.run(async (tx) => {
      if (email !== user.email && (await this.users.existsWithEmail(email, tx)))
        throw new ConflictException(`A user with email ${email} already exists`);
      if (roleNames) await this.replaceRoles(tx, user, roleNames, actor);
      await this.users.update(
        id,
        {
          ...(email !== user.email && { email }),
          ...(input.displayName !== undefined && { displayName: input.displayName }),
          ...(input.disabled !== undefined && { disabled: input.disabled }),
          ...(passwordHash && { passwordHash, passwordChangedAt: now }),
          updatedAt: now,
        },
        tx,
      );
    });
    const action =
      input.disabled === true && !user.disabled
        ? 'user.disabled'
        : input.disabled === false && user.disabled
          ? 'user.enabled'
          : 'user.updated';
    // Resource servers refuse the user's exchanged JWTs and drop cached PAT answers at once.
    if (action === 'user.disabled')
      await this.feed.publish({ type: 'subject.revoked_before', kind: 'user', id, before: now.getTime() });
    else if (action === 'user.enabled' || roleNames || email !== user.email) await this.userChanges.announce([id]);
    await this.audit.record({
      action,
      outcome: 'success',
      actor,
      credential: { type: 'user', id },
      details: { changes: Object.keys(input), ...(roleNames && { roles: roleNames }) },
    });
    return this.get(id);
  }

  async setRoles(id: string, roleNames: string[], actor: AuditActor): Promise<UserDto> {
    const user = await this.require(id);
    const before = await this.roleNamesOf(id);
    await this.unitOfWork.run((tx) => this.replaceRoles(tx, user, roleNames, actor));
    await this.userChanges.announce([id]);
    await this.audit.record({
      action: 'user.roles.changed',
      outcome: 'success',
      actor,
      credential: { type: 'user', id },
      details: { before, after: [...new Set(roleNames)].sort() },
    });
    return this.get(id);
  }

  /** Deletes the user with their roles, sessions and PATs (which stop working at once). */
  async remove(id: string, actor: AuditActor): Promise<void> {
    const user = await this.require(id);
    if (actor.type === 'user' && actor.id === id) throw new ConflictException('You cannot delete yourself');
    await this.users.delete(id);
    await this.feed.publish({ type: 'subject.revoked_before', kind: 'user', id, before: this.clock.now().getTime() });
    await this.audit.record({
      action: 'user.deleted',
      outcome: 'success',
      actor,
      credential: { type: 'user', id },
      details: { email: user.email, kind: user.kind },
    });
  }

  /**
   * After a successful sign-in: remember when, and store a fresh hash of `rehashPassword` (given
   * when the stored hash's parameters are outdated).
   */
  async recordLogin(user: UserEntity, rehashPassword?: string): Promise<void> {
    const now = this.clock.now();
    await this.users.update(user.id, {
      lastLoginAt: now,
      ...(rehashPassword !== undefined && { passwordHash: await this.passwords.hash(rehashPassword) }),
    });
  }

  async roleNamesOf(userId: string): Promise<string[]> {
    return (await this.roles.roleNamesOf([userId])).get(userId)!;
  }

  private async replaceRoles(tx: Transaction, user: UserEntity, roleNames: string[], actor: AuditActor): Promise<void> {
    const roles = await this.roles.findByNames(roleNames, tx);
    if (actor.type === 'user' && actor.id === user.id && !roles.some((role) => role.name === ADMIN_ROLE)) {
      if (await this.roles.holdsRoleNamed(user.id, ADMIN_ROLE, tx))
        throw new ConflictException('You cannot remove your own admin role');
    }
    await this.roles.replaceRolesOf(user.id, roles, tx);
  }

  private async passwordHashFor(
    kind: UserEntity['kind'],
    email: string,
    password: string | undefined,
  ): Promise<string | null> {
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
    const roleNames = await this.roles.roleNamesOf(users.map((u) => u.id));
    return users.map((user) => UserDto.from(user, roleNames.get(user.id)!));
  }
}
