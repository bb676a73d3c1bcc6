import { ContactEntity } from '../contacts/contact.entity.js';
import { Contacts1764200000000 } from './migrations/1764200000000-contacts.js';

/** Every entity and migration of service-b, listed explicitly (globs do not survive bundling). */
export const SERVICE_B_ENTITIES = [ContactEntity];

export const SERVICE_B_MIGRATIONS = [Contacts1764200000000];

export const SERVICE_B_MIGRATIONS_TABLE = 'service_b_migrations';
