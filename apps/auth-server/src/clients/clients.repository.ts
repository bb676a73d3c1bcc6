import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { type EntityManager, type EntityMetadata, In, type ObjectLiteral, type Repository } from 'typeorm';
import { like } from '../common/directory.js';
import type { Transaction } from '../database/unit-of-work.js';
import { ClientGrantEntity } from './client-grant.entity.js';
import { ClientSecretEntity } from './client-secret.entity.js';
import { ClientEntity } from './client.entity.js';

export type { ClientEntity, TokenEndpointAuthMethod } from './client.entity.js';
export type { ClientSecretEntity } from './client-secret.entity.js';

/** The scopes a client may request on one resource, with that resource. */
export interface ClientGrant {
  resource: NonNullable<ClientGrantEntity['resource']>;
  scopes: string[];
}

export type ClientChanges = Partial<Omit<ClientEntity, 'id' | 'createdAt'>>;

// Read on every token, introspection and revocation request. Fixed statements, hydrated through
// the entity metadata, cost a few µs each where TypeORM's find methods, which build the SQL anew
// on every call, cost 30–80 µs (measured on SQLite); they run unchanged on PostgreSQL.
const CLIENT_BY_ID = 'SELECT * FROM "clients" WHERE "id" = :id';
const SECRET_BY_HASH = 'SELECT * FROM "client_secrets" WHERE "secretHash" = :secretHash';
const GRANTS_WITH_RESOURCES =
  'SELECT "g"."scopes" AS "grantScopes", "r".* FROM "client_grants" "g" INNER JOIN "resources" "r" ON "r"."id" = "g"."resourceId" WHERE "g"."clientId" = :clientId';

/** Clients with their secrets and grants (the client_grants rows join the resources they name). */
@Injectable()
export class ClientsRepository {
  constructor(@InjectEntityManager() private readonly manager: EntityManager) {}

  list(): Promise<ClientEntity[]> {
    return this.clients().find({ order: { createdAt: 'ASC' } });
  }

  /** Clients of each kind, enabled and disabled. */
  async countByKind(): Promise<Record<ClientEntity['kind'], { enabled: number; disabled: number }>> {
    const count = (kind: ClientEntity['kind'], disabled: boolean) =>
      this.clients().count({ where: { kind, disabled } });
    const [service, serviceOff, device, deviceOff] = await Promise.all([
      count('service', false),
      count('service', true),
      count('device', false),
      count('device', true),
    ]);
    return { service: { enabled: service, disabled: serviceOff }, device: { enabled: device, disabled: deviceOff } };
  }

  /** Clients whose id or name contains `term` (a superset: see `like`). */
  search(term: string, limit: number): Promise<ClientEntity[]> {
    return this.clients().find({
      where: [{ id: like(term) }, { name: like(term) }],
      order: { name: 'ASC' },
      take: limit,
    });
  }

  findById(id: string, tx?: Transaction): Promise<ClientEntity | null> {
    return this.clients(tx).findOneBy({ id });
  }

  /** What decides whether the client's access tokens still hold. */
  findTokenStatus(id: string): Promise<Pick<ClientEntity, 'id' | 'disabled' | 'tokensValidAfter'> | null> {
    return this.clients().findOne({ where: { id }, select: { id: true, disabled: true, tokensValidAfter: true } });
  }

  exists(id: string, tx?: Transaction): Promise<boolean> {
    return this.clients(tx).existsBy({ id });
  }

  async insert(client: ClientEntity, tx?: Transaction): Promise<void> {
    await this.clients(tx).insert(client);
  }

  async update(id: string, changes: ClientChanges, tx?: Transaction): Promise<void> {
    await this.clients(tx).update({ id }, changes);
  }

  async delete(id: string): Promise<void> {
    await this.clients().delete({ id });
  }

  /** Grants of these clients, with their resources. */
  grantsOf(clientIds: string[]): Promise<ClientGrantEntity[]> {
    return this.grants().find({ where: { clientId: In(clientIds) }, relations: { resource: true } });
  }

  findGrant(clientId: string, resourceId: string, tx?: Transaction): Promise<ClientGrantEntity | null> {
    return this.grants(tx).findOneBy({ clientId, resourceId });
  }

  async insertGrants(grants: ClientGrantEntity[], tx?: Transaction): Promise<void> {
    if (grants.length > 0) await this.grants(tx).insert(grants);
  }

  async replaceGrants(clientId: string, grants: ClientGrantEntity[], tx: Transaction): Promise<void> {
    await this.grants(tx).delete({ clientId });
    await this.insertGrants(grants, tx);
  }

  async setGrantScopes(grantId: string, scopes: string[], tx?: Transaction): Promise<void> {
    await this.grants(tx).update({ id: grantId }, { scopes });
  }

  /** Secrets of these clients, oldest first. */
  secretsOf(clientIds: string[]): Promise<ClientSecretEntity[]> {
    return this.secrets().find({ where: { clientId: In(clientIds) }, order: { createdAt: 'ASC' } });
  }

  findSecretByHash(secretHash: string, tx?: Transaction): Promise<ClientSecretEntity | null> {
    return this.secrets(tx).findOneBy({ secretHash });
  }

  secretHashInUse(secretHash: string, tx?: Transaction): Promise<boolean> {
    return this.secrets(tx).existsBy({ secretHash });
  }

  async insertSecret(secret: ClientSecretEntity, tx?: Transaction): Promise<void> {
    await this.secrets(tx).insert(secret);
  }

  /** False when the client has no such secret. */
  async deleteSecret(clientId: string, secretId: string): Promise<boolean> {
    const deleted = await this.secrets().delete({ id: secretId, clientId });
    return Boolean(deleted.affected);
  }

  async deleteSecretById(secretId: string): Promise<void> {
    await this.secrets().delete({ id: secretId });
  }

  async deleteSecretsWithPrefix(clientId: string, displayPrefix: string, tx?: Transaction): Promise<void> {
    await this.secrets(tx).delete({ clientId, displayPrefix });
  }

  /** Makes the client's secrets that would outlive `cutoff` expire then. */
  async expireSecretsAt(clientId: string, cutoff: Date, tx: Transaction): Promise<void> {
    const others = await this.secrets(tx).findBy({ clientId });
    for (const other of others.filter((s) => !s.expiresAt || s.expiresAt > cutoff)) {
      await this.secrets(tx).update({ id: other.id }, { expiresAt: cutoff });
    }
  }

  /** The client as the token endpoint authenticates it (fast path, see above). */
  async findForAuthentication(id: string): Promise<ClientEntity | null> {
    const [client] = await this.select(ClientEntity, CLIENT_BY_ID, { id });
    return client ?? null;
  }

  /** The secret with this hash, as the token endpoint checks it (fast path). */
  async findSecretForAuthentication(secretHash: string): Promise<ClientSecretEntity | null> {
    const [secret] = await this.select(ClientSecretEntity, SECRET_BY_HASH, { secretHash });
    return secret ?? null;
  }

  /** The client's grants with their resources, as the token endpoint issues from them (fast path). */
  async grantsForAuthentication(clientId: string): Promise<ClientGrant[]> {
    const rows = await this.query(GRANTS_WITH_RESOURCES, { clientId });
    const grants = this.manager.connection.getMetadata(ClientGrantEntity);
    const scopes = grants.findColumnWithPropertyName('scopes')!;
    const resource = grants.findRelationWithPropertyPath('resource')!.inverseEntityMetadata;
    return rows.map((row) => ({
      resource: this.hydrate(resource, row),
      scopes: this.manager.connection.driver.prepareHydratedValue(row.grantScopes, scopes),
    }));
  }

  private async select<T extends ObjectLiteral>(
    entity: new () => T,
    sql: string,
    parameters: ObjectLiteral,
  ): Promise<T[]> {
    const metadata = this.manager.connection.getMetadata(entity);
    return (await this.query(sql, parameters)).map((row) => this.hydrate(metadata, row));
  }

  private query(sql: string, parameters: ObjectLiteral): Promise<Record<string, unknown>[]> {
    const [query, values] = this.manager.connection.driver.escapeQueryWithParameters(sql, parameters);
    return this.manager.query(query, values);
  }

  /** An entity from a raw row, each column converted as TypeORM would (dates, booleans, JSON). */
  private hydrate<T>(metadata: EntityMetadata, row: Record<string, unknown>): T {
    const hydrated = metadata.create() as T;
    for (const column of metadata.columns)
      column.setEntityValue(
        hydrated as ObjectLiteral,
        this.manager.connection.driver.prepareHydratedValue(row[column.databaseName], column),
      );
    return hydrated;
  }

  private clients(tx?: Transaction): Repository<ClientEntity> {
    return (tx ?? this.manager).getRepository(ClientEntity);
  }

  private grants(tx?: Transaction): Repository<ClientGrantEntity> {
    return (tx ?? this.manager).getRepository(ClientGrantEntity);
  }

  private secrets(tx?: Transaction): Repository<ClientSecretEntity> {
    return (tx ?? this.manager).getRepository(ClientSecretEntity);
  }
}
