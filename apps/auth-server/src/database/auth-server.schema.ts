import { AuditEventEntity } from '../audit/audit-event.entity.js';
import { ClientGrantEntity } from '../clients/client-grant.entity.js';
import { ClientSecretEntity } from '../clients/client-secret.entity.js';
import { ClientEntity } from '../clients/client.entity.js';
import { PatEntity } from '../pats/pat.entity.js';
import { SettingEntity } from '../pats/setting.entity.js';
import { RevokedTokenEntity } from '../oauth/revoked-token.entity.js';
import { UsedClientAssertionEntity } from '../oauth/used-client-assertion.entity.js';
import { ResourceEntity } from '../resources/resource.entity.js';
import { RoleGrantEntity } from '../roles/role-grant.entity.js';
import { RoleEntity } from '../roles/role.entity.js';
import { UserRoleEntity } from '../roles/user-role.entity.js';
import { SessionEntity } from '../sessions/session.entity.js';
import { SigningKeyEntity } from '../signing-keys/signing-key.entity.js';
import { UserEntity } from '../users/user.entity.js';
import { Foundation1764100000000 } from './migrations/1764100000000-foundation.js';
import { UsersAndPats1764200000000 } from './migrations/1764200000000-users-and-pats.js';

/** Every entity and migration of the auth-server, listed explicitly (globs do not survive bundling). */
export const AUTH_SERVER_ENTITIES = [
  ResourceEntity,
  ClientEntity,
  ClientSecretEntity,
  ClientGrantEntity,
  SigningKeyEntity,
  AuditEventEntity,
  RevokedTokenEntity,
  UsedClientAssertionEntity,
  UserEntity,
  RoleEntity,
  RoleGrantEntity,
  UserRoleEntity,
  SessionEntity,
  PatEntity,
  SettingEntity,
];

export const AUTH_SERVER_MIGRATIONS = [Foundation1764100000000, UsersAndPats1764200000000];
