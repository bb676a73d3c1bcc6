import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { generateCredential, hashCredential, parseCredential, randomBase62 } from '@tollgate/credentials';
import { isUniqueViolation } from '@tollgate/persistence';
import { CLOCK, type Clock } from '@tollgate/platform';
import { randomUUID } from 'node:crypto';
import { AuditService, type AuditActor } from '../audit/audit.service.js';
import { type Transaction, UnitOfWork } from '../database/unit-of-work.js';
import { ResourcesService } from '../resources/resources.service.js';
import { RevocationFeedService } from '../revocations/revocation-feed.service.js';
import type { ClientGrantEntity } from './client-grant.entity.js';
import { validateClientJwks } from './client-jwks.js';
import type { ClientSecretEntity } from './client-secret.entity.js';
import { KEYED_AUTH_METHODS, SECRET_AUTH_METHODS } from './auth-methods.js';
import type { ClientEntity } from './client.entity.js';
import { ClientsRepository } from './clients.repository.js';
import type { ClientDto } from './dto/client.response.js';
import type { ClientSecretDto } from './dto/client-secret.response.js';
import type { CreateClientDto } from './dto/create-client.dto.js';
import type { CreatedClientDto } from './dto/created-client.response.js';
import type { CreatedSecretDto } from './dto/created-secret.response.js';
import type { GrantDto } from '../common/dto/grant.dto.js';
import type { RotateSecretDto } from './dto/rotate-secret.dto.js';
import type { UpdateClientDto } from './dto/update-client.dto.js';
import { certificateSubjectFrom, tlsClientAuthFieldsOf } from './dto/tls-client-auth.fields.js';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';

const DAY_MS = 86_400_000;

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'client'
  );
}

/**
 * What lists show of a secret an operator chose in a format other than Tollgate's: a label, never
 * its characters (it may have little entropy, or a structure that its first characters give away).
 */
const OPERATOR_CHOSEN_SECRET_LABEL = '(operator-chosen)';

/**
 * Creates a client secret row (generated, or chosen by the operator); the secret itself is returned
 * to the caller once and never stored.
 */
export function newClientSecret(
  clientId: string,
  now: Date,
  expiresAt: Date | null,
  chosen?: string,
): { secret: string; row: ClientSecretEntity } {
  const secret = chosen ?? generateCredential('client_secret');
  const displayPrefix = parseCredential(secret)?.displayPrefix ?? OPERATOR_CHOSEN_SECRET_LABEL;
  return {
    secret,
    row: {
      id: randomUUID(),
      clientId,
      secretHash: hashCredential(secret),
      displayPrefix,
      expiresAt,
      createdAt: now,
      lastUsedAt: null,
    },
  };
}

@Injectable()
export class ClientsService {
  constructor(
    private readonly clients: ClientsRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly audit: AuditService,
    private readonly resources: ResourcesService,
    private readonly feed: RevocationFeedService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
  ) {}

  async list(): Promise<ClientDto[]> {
    return this.describe(await this.clients.list());
  }

  async get(id: string): Promise<ClientDto> {
    const [client] = await this.describe([await this.find(id)]);
    return client;
  }

  async create(input: CreateClientDto, actor: AuditActor): Promise<CreatedClientDto> {
    const now = this.clock.now();
    const method = input.tokenEndpointAuthMethod ?? 'client_secret_basic';
    const keyed = KEYED_AUTH_METHODS.includes(method);
    const usesSecret = SECRET_AUTH_METHODS.includes(method);
    if (keyed && !input.jwks) throw new BadRequestException(`jwks is required for ${method} clients`);
    if (!keyed && input.jwks)
      throw new BadRequestException('jwks is only used by private_key_jwt and self_signed_tls_client_auth clients');
    if (!usesSecret && input.clientSecret) throw new BadRequestException(`${method} clients have no secret`);
    const tlsClientAuth = this.tlsClientAuthSubject(method, input, true);
    const jwks = input.jwks ? await validateClientJwks(input.jwks, method) : null;
    const id = input.id ?? `${slug(input.name)}-${randomBase62(6)}`;
    const client: ClientEntity = {
      id,
      name: input.name,
      kind: input.kind ?? 'service',
      tokenEndpointAuthMethod: method,
      jwks,
      tlsClientAuth: tlsClientAuth ?? null,
      disabled: false,
      allowTokenExchange: input.allowTokenExchange ?? false,
      requiredBinding: input.requiredBinding ?? 'none',
      tokensValidAfter: null,
      createdAt: now,
      updatedAt: now,
    };
    let secret: string | undefined;
    await this.unitOfWork
      .run(async (tx) => {
        if (await this.clients.exists(id, tx)) throw new ConflictException(`A client with id ${id} already exists`);
        const grants = await this.resolveGrants(tx, id, input.grants);
        await this.clients.insert(client, tx);
        await this.clients.insertGrants(grants, tx);
        if (usesSecret) {
          const created = newClientSecret(
            id,
            now,
            input.secretExpiresInDays ? new Date(now.getTime() + input.secretExpiresInDays * DAY_MS) : null,
            input.clientSecret,
          );
          if (await this.clients.secretHashInUse(created.row.secretHash, tx))
            throw new ConflictException('That secret is already in use; choose another');
          secret = created.secret;
          await this.clients.insertSecret(created.row, tx);
        }
      })
      .catch((error: unknown) => {
        // Two concurrent creations both passed the checks above; the unique indexes decided.
        throw isUniqueViolation(error)
          ? new ConflictException(`A client with id ${id} already exists, or that secret is already in use`)
          : error;
      });
    await this.audit.record({
      action: 'client.created',
      outcome: 'success',
      actor,
      credential: { type: 'client', id },
      details: { kind: client.kind, method, grants: input.grants },
    });
    return { ...(await this.get(id)), ...(secret ? { clientSecret: secret } : {}) };
  }

  async update(id: string, input: UpdateClientDto, actor: AuditActor): Promise<ClientDto> {
    const client = await this.find(id);
    if (input.jwks && !KEYED_AUTH_METHODS.includes(client.tokenEndpointAuthMethod))
      throw new BadRequestException('jwks is only used by private_key_jwt and self_signed_tls_client_auth clients');
    const jwks = input.jwks ? await validateClientJwks(input.jwks, client.tokenEndpointAuthMethod) : undefined;
    const tlsClientAuth = this.tlsClientAuthSubject(client.tokenEndpointAuthMethod, input, false);
    const now = this.clock.now();
    await this.unitOfWork
      .run(async (tx) => {
        if (input.grants) await this.clients.replaceGrants(id, await this.resolveGrants(tx, id, input.grants), tx);
        await this.clients.update(
          id,
          {
            ...(input.name !== undefined && { name: input.name }),
            ...(input.disabled !== undefined && { disabled: input.disabled }),
            ...(input.allowTokenExchange !== undefined && { allowTokenExchange: input.allowTokenExchange }),
            ...(input.requiredBinding !== undefined && { requiredBinding: input.requiredBinding }),
            // Disabling refuses the tokens issued so far for good, as the revocation feed tells resource servers.
            ...(input.disabled === true && { tokensValidAfter: now }),
            ...(jwks && { jwks }),
            ...(tlsClientAuth && { tlsClientAuth }),
            updatedAt: now,
          },
          tx,
        );
      })
      .catch((error: unknown) => {
        // Another request replaced the grants at the same time (the unique client/resource index).
        throw isUniqueViolation(error)
          ? new ConflictException(`Client ${id} was changed at the same time; retry`)
          : error;
      });
    if (input.disabled === true)
      await this.feed.publish({ type: 'subject.revoked_before', kind: 'client', id, before: now.getTime() });
    // Verifiers and the token endpoint's cache of authenticated clients forget what they knew of it.
    else await this.feed.publish({ type: 'subject.changed', kind: 'client', id });
    const action =
      input.disabled === true ? 'client.disabled' : input.disabled === false ? 'client.enabled' : 'client.updated';
    await this.audit.record({
      action,
      outcome: 'success',
      actor,
      credential: { type: 'client', id },
      details: { changes: Object.keys(input).filter((key) => input[key as keyof typeof input] !== undefined) },
    });
    return this.get(id);
  }

  async remove(id: string, actor: AuditActor): Promise<void> {
    await this.find(id);
    await this.clients.delete(id);
    await this.feed.publish({ type: 'subject.revoked_before', kind: 'client', id, before: this.clock.now().getTime() });
    await this.audit.record({
      action: 'client.deleted',
      outcome: 'success',
      actor,
      credential: { type: 'client', id },
    });
  }

  /** Adds a secret; optionally makes the others expire after an overlap (0 = at once). */
  async rotateSecret(id: string, input: RotateSecretDto, actor: AuditActor): Promise<CreatedSecretDto> {
    const client = await this.find(id);
    if (!SECRET_AUTH_METHODS.includes(client.tokenEndpointAuthMethod))
      throw new BadRequestException(
        client.tokenEndpointAuthMethod === 'tls_client_auth'
          ? 'tls_client_auth clients authenticate with a certificate from a trusted CA, not secrets'
          : `${client.tokenEndpointAuthMethod} clients authenticate with keys, not secrets; update jwks instead`,
      );
    const now = this.clock.now();
    const created = newClientSecret(
      id,
      now,
      input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * DAY_MS) : null,
      input.clientSecret,
    );
    if (await this.clients.secretHashInUse(created.row.secretHash))
      throw new ConflictException('That secret is already in use; choose another');
    const cutoff =
      input.expireCurrentInMinutes === undefined
        ? undefined
        : new Date(now.getTime() + input.expireCurrentInMinutes * 60_000);
    await this.unitOfWork.run(async (tx) => {
      if (cutoff) await this.clients.expireSecretsAt(id, cutoff, tx);
      await this.clients.insertSecret(created.row, tx);
    });
    // Clients are remembered by their secret for a few seconds (ClientAuthenticationService): make every instance forget.
    await this.feed.publish({ type: 'subject.changed', kind: 'client', id });
    await this.audit.record({
      action: 'client.secret.rotated',
      outcome: 'success',
      actor,
      credential: { type: 'client_secret', id: created.row.id },
      details: { clientId: id, previousSecretsExpireAt: cutoff?.toISOString() ?? null },
    });
    return { ...this.describeSecret(created.row, now), clientSecret: created.secret };
  }

  async revokeSecret(id: string, secretId: string, actor: AuditActor): Promise<void> {
    if (!(await this.clients.deleteSecret(id, secretId)))
      throw new NotFoundException(`Secret ${secretId} of client ${id} not found`);
    await this.feed.publish({ type: 'credential.revoked', credentialType: 'client_secret', credentialId: secretId });
    await this.audit.record({
      action: 'client.secret.revoked',
      outcome: 'success',
      actor,
      credential: { type: 'client_secret', id: secretId },
      details: { clientId: id },
    });
  }

  /** Revokes the secret with this value, if any (leak reports); returns its id. */
  async revokeSecretByValue(secret: string): Promise<string | null> {
    const row = await this.clients.findSecretByHash(hashCredential(secret));
    if (!row) return null;
    await this.clients.deleteSecretById(row.id);
    await this.feed.publish({ type: 'credential.revoked', credentialType: 'client_secret', credentialId: row.id });
    await this.audit.record({
      action: 'client.secret.revoked',
      outcome: 'success',
      actor: { type: 'system' },
      credential: { type: 'client_secret', id: row.id },
      reason: 'leaked',
      details: { clientId: row.clientId },
    });
    return row.id;
  }

  /** Refuses every token the client was issued until now; new tokens can still be obtained. */
  async revokeAllTokens(id: string, actor: AuditActor): Promise<ClientDto> {
    await this.find(id);
    const now = this.clock.now();
    await this.clients.update(id, { tokensValidAfter: now, updatedAt: now });
    await this.feed.publish({ type: 'subject.revoked_before', kind: 'client', id, before: now.getTime() });
    await this.audit.record({
      action: 'client.tokens.revoked',
      outcome: 'success',
      actor,
      credential: { type: 'client', id },
      details: { issuedBefore: now.toISOString() },
    });
    return this.get(id);
  }

  private async find(id: string): Promise<ClientEntity> {
    const client = await this.clients.findById(id);
    if (!client) throw new NotFoundException(`Client ${id} not found`);
    return client;
  }

  private async resolveGrants(tx: Transaction, clientId: string, grants: GrantDto[]): Promise<ClientGrantEntity[]> {
    const resolved = await this.resources.resolveGrants(grants, tx);
    return resolved.map(({ resource, scopes }) => ({ id: randomUUID(), clientId, resourceId: resource.id, scopes }));
  }

  /**
   * The subject a tls_client_auth client's certificate must carry (RFC 8705 §2.1.2): required when
   * such a client is created, refused for any other method, and refused while the auth-server
   * trusts no CA (TLS_CLIENT_CA_FILE), since no certificate could then authenticate it.
   */
  private tlsClientAuthSubject(
    method: ClientEntity['tokenEndpointAuthMethod'],
    input: CreateClientDto | UpdateClientDto,
    creating: boolean,
  ): ClientEntity['tlsClientAuth'] | undefined {
    const subject = certificateSubjectFrom(input);
    if (method !== 'tls_client_auth') {
      if (subject) throw new BadRequestException('The tlsClientAuth* fields are only used by tls_client_auth clients');
      return undefined;
    }
    if (creating && !this.config.mtls?.clientCaPem)
      throw new BadRequestException(
        'tls_client_auth needs the mTLS endpoint with a CA for client certificates (MTLS_PORT, TLS_CLIENT_CA_FILE)',
      );
    if (creating && !subject)
      throw new BadRequestException(
        'tls_client_auth clients need one of tlsClientAuthSubjectDn, tlsClientAuthSanDns, tlsClientAuthSanUri, tlsClientAuthSanIp, tlsClientAuthSanEmail',
      );
    return subject;
  }

  private async describe(clients: ClientEntity[]): Promise<ClientDto[]> {
    if (clients.length === 0) return [];
    const ids = clients.map((c) => c.id);
    const [grants, secrets] = await Promise.all([this.clients.grantsOf(ids), this.clients.secretsOf(ids)]);
    const now = this.clock.now();
    return clients.map((client) => ({
      id: client.id,
      name: client.name,
      kind: client.kind,
      tokenEndpointAuthMethod: client.tokenEndpointAuthMethod,
      disabled: client.disabled,
      allowTokenExchange: client.allowTokenExchange,
      requiredBinding: client.requiredBinding,
      grants: grants
        .filter((g) => g.clientId === client.id)
        .map((g) => ({ resource: g.resource!.indicator, scopes: g.scopes })),
      secrets: secrets.filter((s) => s.clientId === client.id).map((s) => this.describeSecret(s, now)),
      tokensValidAfter: client.tokensValidAfter?.toISOString() ?? null,
      jwks: client.jwks,
      ...tlsClientAuthFieldsOf(client.tlsClientAuth),
      createdAt: client.createdAt.toISOString(),
      updatedAt: client.updatedAt.toISOString(),
    }));
  }

  private describeSecret(secret: ClientSecretEntity, now: Date): ClientSecretDto {
    return {
      id: secret.id,
      displayPrefix: secret.displayPrefix,
      createdAt: secret.createdAt.toISOString(),
      expiresAt: secret.expiresAt?.toISOString() ?? null,
      active: !secret.expiresAt || secret.expiresAt > now,
    };
  }
}
