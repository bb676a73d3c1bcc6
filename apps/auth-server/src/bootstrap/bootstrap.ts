import { Logger } from '@nestjs/common';
import { hashCredential, MANAGEMENT_API_SCOPES, MANAGEMENT_SCOPES } from '@tollgate/credentials';
import { randomUUID } from 'node:crypto';
import { ClientsRepository } from '../clients/clients.repository.js';
import type { AuthServerConfig } from '../config/auth-server.config.js';
import type { KeyEncryption } from '../signing-keys/key-encryption.js';
import { SigningKeysRepository } from '../signing-keys/signing-keys.repository.js';
import { ensureSigningKeys } from '../signing-keys/signing-keys.service.js';
import type { UnitOfWork } from '../database/unit-of-work.js';
import { type ResourceEntity, ResourcesRepository } from '../resources/resources.repository.js';

const BOOTSTRAP_SECRET_PREFIX = 'bootstrap';
const logger = new Logger('Bootstrap');

/**
 * One-time setup after migrations, under the migration lock so that instances starting together
 * do it once: signing keys, the management API resource, and the operator's bootstrap admin client.
 */
export async function bootstrapAuthServer(
  unitOfWork: UnitOfWork,
  config: AuthServerConfig,
  encryption: KeyEncryption,
  now: Date,
): Promise<void> {
  await unitOfWork.run((tx) => ensureSigningKeys(new SigningKeysRepository(tx), encryption, config.signingAlg, now));
  const managementApi = await unitOfWork.run((tx) => ensureManagementApi(new ResourcesRepository(tx), config, now));
  const { bootstrapAdmin } = config;
  if (bootstrapAdmin)
    await unitOfWork.run((tx) => ensureBootstrapAdmin(new ClientsRepository(tx), bootstrapAdmin, managementApi, now));
}

async function ensureManagementApi(
  resources: ResourcesRepository,
  config: AuthServerConfig,
  now: Date,
): Promise<ResourceEntity> {
  const indicator = config.managementApiIndicator;
  let existing = await resources.findByIndicator(indicator);
  if (!existing) {
    // AUTH_ISSUER changed: the management API moves to the new indicator with its grants (the admin
    // role's, service-b's introspection, the brokers' feed) instead of a second one starting empty.
    const moved = await resources.findSystem();
    if (moved) {
      logger.warn(
        `The management API moves from ${moved.indicator} to ${indicator} (AUTH_ISSUER changed); tokens issued for the old audience are refused`,
      );
      await resources.update(moved.id, { indicator, updatedAt: now });
      existing = { ...moved, indicator, updatedAt: now };
    }
  }
  if (existing) {
    const missing = MANAGEMENT_API_SCOPES.filter((scope) => !existing.scopes.includes(scope));
    if (missing.length > 0)
      await resources.update(existing.id, { scopes: [...existing.scopes, ...missing], updatedAt: now });
    return existing;
  }
  const resource: ResourceEntity = {
    id: randomUUID(),
    indicator,
    name: 'Tollgate management API',
    requiredBinding: 'none',
    scopes: MANAGEMENT_API_SCOPES,
    accessTokenTtl: 900,
    system: true,
    createdAt: now,
    updatedAt: now,
  };
  await resources.insert(resource);
  return resource;
}

/** Ensures BOOTSTRAP_ADMIN_CLIENT_ID exists with scope `admin` and accepts exactly the configured secret. */
async function ensureBootstrapAdmin(
  clients: ClientsRepository,
  admin: { clientId: string; clientSecret: string },
  managementApi: ResourceEntity,
  now: Date,
): Promise<void> {
  const client = await clients.findById(admin.clientId);
  if (!client) {
    await clients.insert({
      id: admin.clientId,
      name: 'Bootstrap admin',
      requiredBinding: 'none',
      kind: 'service',
      tokenEndpointAuthMethod: 'client_secret_basic',
      jwks: null,
      tlsClientAuth: null,
      disabled: false,
      allowTokenExchange: false,
      tokensValidAfter: null,
      createdAt: now,
      updatedAt: now,
    });
  } else if (client.disabled) {
    logger.warn(
      `The bootstrap admin client ${admin.clientId} is disabled; enable it through the management API to use it`,
    );
  }
  const grant = await clients.findGrant(admin.clientId, managementApi.id);
  if (!grant)
    await clients.insertGrants([
      { id: randomUUID(), clientId: admin.clientId, resourceId: managementApi.id, scopes: [MANAGEMENT_SCOPES.admin] },
    ]);
  else if (!grant.scopes.includes(MANAGEMENT_SCOPES.admin))
    await clients.setGrantScopes(grant.id, [...grant.scopes, MANAGEMENT_SCOPES.admin]);

  const secretHash = hashCredential(admin.clientSecret);
  const secret = await clients.findSecretByHash(secretHash);
  if (secret && secret.clientId !== admin.clientId)
    throw new Error('BOOTSTRAP_ADMIN_CLIENT_SECRET is already the secret of another client; choose another');
  if (!secret) {
    // The configured secret replaces the previous bootstrap secret (rotation by redeploying).
    await clients.deleteSecretsWithPrefix(admin.clientId, BOOTSTRAP_SECRET_PREFIX);
    await clients.insertSecret({
      id: randomUUID(),
      clientId: admin.clientId,
      secretHash,
      displayPrefix: BOOTSTRAP_SECRET_PREFIX,
      expiresAt: null,
      createdAt: now,
      lastUsedAt: null,
    });
  }
}
