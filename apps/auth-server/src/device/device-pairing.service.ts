import { Injectable, NotFoundException } from '@nestjs/common';
import { MANAGEMENT_SCOPES } from '@tollgate/credentials';
import { OAuthError, ProblemException } from '@tollgate/platform/http';
import { calculateJwkThumbprint, importJWK, type JWK } from 'jose';
import { AuditService } from '../audit/audit.service.js';
import { ClientsService } from '../clients/clients.service.js';
import type { AuditActor } from '../common/audit-log.js';
import { AccessTokenIssuer } from '../oauth/access-token.issuer.js';
import type { TokenResponse } from '../oauth/token-response.js';
import { ResourcesService } from '../resources/resources.service.js';
import type { DeviceAuthorizationEntity } from './device-authorization.entity.js';

/** A device id is also its MQTT client id and the `{id}` of its topics (as the devices app requires). */
const DEVICE_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** What a paired device may ask for: its own topics (the broker's `device` scope, bound to its id). */
export const PAIRING_SCOPE = 'device';
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** The scope that lets a client command a device (see the broker's TopicAcl). */
export const controlScope = (deviceId: string) => `devices:control:${deviceId}`;

export interface PairingRequest {
  deviceId: string;
  jwk: JWK;
}

/**
 * Device pairing over the device grant: a new device that has no credential asks with the id it
 * wants and a public key it generated; a person who administers Tollgate approves it in the console,
 * choosing which device may command it; the device is then registered as its own client
 * (private_key_jwt with that key: no secret ever exists) granted only its own topics, and its poll
 * receives its first access token and its client id.
 */
@Injectable()
export class DevicePairingService {
  constructor(
    private readonly clients: ClientsService,
    private readonly resources: ResourcesService,
    private readonly tokens: AccessTokenIssuer,
    private readonly audit: AuditService,
  ) {}

  /** The pairing parameters of a device authorization request (RFC 8628 §3.1 allows extensions). */
  async checkRequest(
    deviceId: string | undefined,
    jwkText: string | undefined,
    scopes: string[],
  ): Promise<PairingRequest> {
    if (scopes.length !== 1 || scopes[0] !== PAIRING_SCOPE)
      throw new OAuthError('invalid_scope', `A device pairs with scope ${PAIRING_SCOPE} (its own topics) only`);
    if (!deviceId || !DEVICE_ID.test(deviceId))
      throw new OAuthError('invalid_request', 'device_id is required: 1–64 letters, digits, . _ -');
    if (await this.exists(deviceId))
      throw new OAuthError('invalid_request', `A client named ${deviceId} exists already`);
    return { deviceId, jwk: await publicJwk(jwkText) };
  }

  /** Device clients that could be given control of the new device (its hub). */
  async controllers(exceptId: string): Promise<string[]> {
    return (await this.clients.list())
      .filter((client) => client.kind === 'device' && client.id !== exceptId)
      .map((client) => client.id);
  }

  /** The approver must hold `admin` at the management API: pairing registers a client. */
  mayApprove(heldAtManagementApi: ReadonlySet<string>): boolean {
    return heldAtManagementApi.has(MANAGEMENT_SCOPES.admin);
  }

  /** On approval: the device's client, the scope to command it, and that scope granted to its controller. */
  async register(
    request: DeviceAuthorizationEntity,
    controllerId: string | undefined,
    actor: AuditActor,
  ): Promise<void> {
    const deviceId = request.deviceId!;
    const resource = await this.resources.findByIndicator(request.resource);
    if (!resource)
      throw new ProblemException(409, `The resource ${request.resource} no longer exists`, { code: 'resource_gone' });
    if (controllerId) {
      const controller = await this.clients.get(controllerId).catch(() => undefined);
      if (!controller || controller.kind !== 'device')
        throw new ProblemException(400, `${controllerId} is not a device client`, { code: 'controller_not_a_device' });
    }
    const scope = controlScope(deviceId);
    if (!resource.scopes.includes(scope))
      await this.resources.update(resource.id, { scopes: [...resource.scopes, scope] }, actor);
    await this.clients.create(
      {
        id: deviceId,
        name: `${deviceId} (paired)`,
        kind: 'device',
        tokenEndpointAuthMethod: 'private_key_jwt',
        jwks: { keys: [request.deviceJwk as JWK] },
        grants: [{ resource: resource.indicator, scopes: [PAIRING_SCOPE] }],
      },
      actor,
    );
    if (controllerId) {
      try {
        const controller = await this.clients.get(controllerId);
        const grants = controller.grants.map((grant) => ({ resource: grant.resource, scopes: [...grant.scopes] }));
        const onResource = grants.find((grant) => grant.resource === resource.indicator);
        if (onResource) onResource.scopes = [...new Set([...onResource.scopes, scope])];
        else grants.push({ resource: resource.indicator, scopes: [scope] });
        await this.clients.update(controllerId, { grants }, actor);
      } catch (error) {
        // The controller changed or went meanwhile: the device is not left registered without the
        // controller the admin chose, so the request stays pending and can be approved again.
        await this.clients.remove(deviceId, actor).catch(() => undefined);
        throw error;
      }
    }
    await this.audit.record({
      action: 'device.paired',
      outcome: 'success',
      actor,
      credential: { type: 'client', id: deviceId },
      details: { requestId: request.id, resource: resource.indicator, controller: controllerId ?? null },
    });
  }

  /** The paired device's first access token (it renews with private_key_jwt), and its client id. */
  async issue(request: DeviceAuthorizationEntity): Promise<TokenResponse & { client_id: string }> {
    const resource = await this.resources.findByIndicator(request.resource);
    if (!resource) throw new OAuthError('invalid_grant', 'The resource no longer exists');
    const deviceId = request.deviceId!;
    const issued = await this.tokens.issue({
      subject: deviceId,
      clientId: deviceId,
      audience: resource.indicator,
      scopes: [PAIRING_SCOPE],
      ttlSeconds: resource.accessTokenTtl,
      extraClaims: { client_kind: 'device' },
    });
    return {
      access_token: issued.token,
      token_type: 'Bearer',
      expires_in: resource.accessTokenTtl,
      scope: PAIRING_SCOPE,
      client_id: deviceId,
    };
  }

  private async exists(id: string): Promise<boolean> {
    try {
      await this.clients.get(id);
      return true;
    } catch (error) {
      if (error instanceof NotFoundException) return false;
      throw error;
    }
  }
}

/** The device's public key: an ES256 (P-256) or EdDSA (Ed25519) JWK with no private member. */
async function publicJwk(text: string | undefined): Promise<JWK> {
  let jwk: JWK;
  try {
    jwk = JSON.parse(text ?? '') as JWK;
  } catch {
    throw new OAuthError('invalid_request', 'device_jwk must be the device’s public key as a JWK (JSON)');
  }
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk))
    throw new OAuthError('invalid_request', 'device_jwk must be a JSON object');
  if (PRIVATE_MEMBERS.some((member) => member in jwk))
    throw new OAuthError('invalid_request', 'device_jwk carries a private key: send the public key only');
  const alg =
    jwk.kty === 'EC' && jwk.crv === 'P-256'
      ? 'ES256'
      : jwk.kty === 'OKP' && jwk.crv === 'Ed25519'
        ? 'EdDSA'
        : undefined;
  if (!alg) throw new OAuthError('invalid_request', 'device_jwk must be an EC P-256 or OKP Ed25519 public key');
  try {
    await importJWK({ ...jwk, alg }, alg);
  } catch {
    throw new OAuthError('invalid_request', 'device_jwk is not a valid public key');
  }
  const members =
    alg === 'ES256' ? { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } : { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
  return { ...members, alg, use: 'sig', kid: await calculateJwkThumbprint(members) };
}
