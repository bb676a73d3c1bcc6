import { AudienceMemberEntity } from '../audience/audience-member.entity.js';
import { SyncRunEntity } from '../audience/sync-run.entity.js';
import { Audience1764200000000 } from './migrations/1764200000000-audience.js';

/** Every entity and migration of service-a, listed explicitly (globs do not survive bundling). */
export const SERVICE_A_ENTITIES = [AudienceMemberEntity, SyncRunEntity];

export const SERVICE_A_MIGRATIONS = [Audience1764200000000];

export const SERVICE_A_MIGRATIONS_TABLE = 'service_a_migrations';
