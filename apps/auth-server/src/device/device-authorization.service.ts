import { Inject, Injectable } from '@nestjs/common';
import { hashCredential } from '@tollgate/credentials';
import { CLOCK, type Clock } from '@tollgate/platform';
import { OAuthError, ProblemException } from '@tollgate/platform/http';
import { randomBytes, randomUUID } from 'node:crypto';
import { AuditService } from '../audit/audit.service.js';
import type { AuditActor } from '../common/audit-log.js';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import type { TokenResponse } from '../oauth/token-response.js';
import { PatPolicyService } from '../pats/pat-policy.service.js';
import { PatsService } from '../pats/pats.service.js';
import { ResourcesService } from '../resources/resources.service.js';
import { PermissionsService } from '../roles/permissions.service.js';
import type { FailureThrottle } from '../throttling/shared-auth-failures.js';
import { SharedAuthFailures } from '../throttling/shared-auth-failures.js';
import { UsersService } from '../users/users.service.js';
import { DevicePairingService } from './device-pairing.service.js';
import { CLI_CLIENT, CLI_CREDENTIAL_DAYS, PAIRING_CLIENT } from './public-clients.js';
import type { DeviceAuthorizationEntity } from './device-authorization.entity.js';
import { DeviceAuthorizationsRepository } from './device-authorizations.repository.js';
import { generateUserCode, normalizeUserCode } from './user-code.js';

/** A request lives this long (RFC 8628 §3.2 `expires_in`): time to open the console and approve. */
const LIFETIME_SECONDS = 600;
/** The poll interval a client starts with; each `slow_down` adds SLOW_DOWN_SECONDS (RFC 8628 §3.5). */
const INTERVAL_SECONDS = 5;
const SLOW_DOWN_SECONDS = 5;
/** Expired requests are deleted after this grace (late polls still learn `expired_token` meanwhile). */
const PURGE_GRACE_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** RFC 8628 §3.2 device authorization response. */
export interface DeviceAuthorizationResponse {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/** What the client sends (RFC 8628 §3.1), with the pairing extension (`device_id`, `device_jwk`). */
export interface DeviceAuthorizationParameters {
  scope?: string;
  resource?: string;
  deviceId?: string;
  deviceJwk?: string;
}

/** What a person deciding on a request is shown. */
export interface PendingDeviceRequest {
  /** `sign_in`: the CLI signs in as the person; `pairing`: a device asks to be registered. */
  kind: 'sign_in' | 'pairing';
  clientId: string;
  clientName: string;
  /** Pairing: the id the device asks for, the thumbprint of its key, and who could command it. */
  deviceId: string | null;
  keyThumbprint: string | null;
  controllers: string[];
  /** Whether this person may approve it (pairing needs admin; a sign-in needs a scope they hold). */
  mayApprove: boolean;
  resource: string;
  scopes: string[];
  /** Requested scopes the person does not hold at the resource: they cannot be approved. */
  scopesNotHeld: string[];
  requestedFrom: string | null;
  requestedAt: Date;
  expiresAt: Date;
}

/**
 * The device authorization grant (RFC 8628): a request with a device code (the client's secret) and
 * a user code (what the person types in the console), the person's decision, and the client's polls,
 * the first of which after an approval receives the credential: for the CLI a PAT of the person
 * with the approved scopes; for a pairing device its registration (DevicePairingService).
 */
@Injectable()
export class DeviceAuthorizationService {
  private readonly userCodeGuesses: FailureThrottle;

  constructor(
    private readonly requests: DeviceAuthorizationsRepository,
    private readonly resources: ResourcesService,
    private readonly permissions: PermissionsService,
    private readonly users: UsersService,
    private readonly pats: PatsService,
    private readonly patPolicy: PatPolicyService,
    private readonly pairing: DevicePairingService,
    private readonly audit: AuditService,
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    failures: SharedAuthFailures,
  ) {
    // Per person and address: a wrong code costs a try; five from one place, ten in all, per 15 minutes.
    this.userCodeGuesses = failures.throttle('device-user-code', {
      perPair: 5,
      perId: 10,
      perAddress: 20,
      windowMs: 15 * 60_000,
    });
  }

  /** RFC 8628 §3.1–3.2: a new request from the client. */
  async start(
    clientId: string,
    parameters: DeviceAuthorizationParameters,
    address: string,
  ): Promise<DeviceAuthorizationResponse> {
    const { scope, resource: resourceIndicator } = parameters;
    const pairing = clientId === PAIRING_CLIENT.id;
    if (pairing && !resourceIndicator)
      throw new OAuthError('invalid_target', 'A device pairs for one resource: name its broker with resource');
    const resource = await this.resources.findByIndicator(resourceIndicator ?? this.config.managementApiIndicator);
    if (!resource) throw new OAuthError('invalid_target', `Unknown resource ${resourceIndicator}`);
    const requested = [...new Set((scope ?? '').split(' ').filter(Boolean))];
    if (requested.length === 0)
      throw new OAuthError(
        'invalid_scope',
        `Name the scopes to ask for (scope); ${resource.indicator} has: ${resource.scopes.join(' ')}`,
      );
    const unknown = requested.filter((name) => !resource.scopes.includes(name));
    if (unknown.length > 0)
      throw new OAuthError('invalid_scope', `${resource.indicator} has no scope ${unknown.join(', ')}`);

    const device = pairing
      ? await this.pairing.checkRequest(parameters.deviceId, parameters.deviceJwk, requested)
      : null;
    const now = this.clock.now();
    await this.requests.deleteExpired(new Date(now.getTime() - PURGE_GRACE_MS));
    const deviceCode = randomBytes(32).toString('base64url');
    const base = {
      id: randomUUID(),
      deviceCodeHash: hashCredential(deviceCode),
      clientId,
      resource: resource.indicator,
      requestedScopes: requested,
      grantedScopes: null,
      status: 'pending' as const,
      userId: null,
      deviceId: device?.deviceId ?? null,
      deviceJwk: device ? (device.jwk as Record<string, string>) : null,
      controllerId: null,
      patId: null,
      interval: INTERVAL_SECONDS,
      lastPolledAt: null,
      requestAddress: address.slice(0, 64),
      createdAt: now,
      expiresAt: new Date(now.getTime() + LIFETIME_SECONDS * 1000),
      decidedAt: null,
    };
    // Two live requests with one user code (one chance in billions): the unique index refuses the
    // second insert, which tries once more with another code.
    let userCode = generateUserCode();
    const request: DeviceAuthorizationEntity = { ...base, userCodeHash: hashCredential(normalizeUserCode(userCode)!) };
    try {
      await this.requests.insert(request);
    } catch {
      userCode = generateUserCode();
      request.userCodeHash = hashCredential(normalizeUserCode(userCode)!);
      await this.requests.insert(request);
    }
    await this.audit.record({
      action: 'device.authorization.requested',
      outcome: 'success',
      actor: { type: 'client', id: clientId },
      address,
      details: {
        requestId: request.id,
        resource: resource.indicator,
        scopes: requested,
        ...(device && { deviceId: device.deviceId, keyThumbprint: device.jwk.kid }),
      },
    });
    const verificationUri = `${this.config.issuer}/console/device`;
    return {
      device_code: deviceCode,
      user_code: userCode,
      verification_uri: verificationUri,
      verification_uri_complete: `${verificationUri}?user_code=${userCode}`,
      expires_in: LIFETIME_SECONDS,
      interval: INTERVAL_SECONDS,
    };
  }

  /** What the request behind a user code asks for, to a signed-in person (wrong codes are throttled). */
  async describe(typedCode: string, userId: string, address: string): Promise<PendingDeviceRequest> {
    const request = await this.pendingByUserCode(typedCode, userId, address);
    const permissions = await this.permissions.forUser(userId);
    const held = permissions.at(request.resource);
    const pairing = request.clientId === PAIRING_CLIENT.id;
    const scopesNotHeld = pairing ? [] : request.requestedScopes.filter((scope) => !held.has(scope));
    return {
      kind: pairing ? 'pairing' : 'sign_in',
      clientId: request.clientId,
      clientName: pairing ? PAIRING_CLIENT.name : CLI_CLIENT.name,
      deviceId: request.deviceId,
      keyThumbprint: request.deviceJwk?.kid ?? null,
      controllers: pairing ? await this.pairing.controllers(request.deviceId!) : [],
      mayApprove: pairing
        ? this.pairing.mayApprove(permissions.at(this.config.managementApiIndicator))
        : scopesNotHeld.length < request.requestedScopes.length,
      resource: request.resource,
      scopes: request.requestedScopes,
      scopesNotHeld,
      requestedFrom: request.requestAddress,
      requestedAt: request.createdAt,
      expiresAt: request.expiresAt,
    };
  }

  /** The person approves, for all the requested scopes or some: each must be held by them at the resource. */
  async approve(
    typedCode: string,
    actor: AuditActor & { id: string },
    address: string,
    choice: { scopes?: string[]; controller?: string } = {},
  ): Promise<string[]> {
    const request = await this.pendingByUserCode(typedCode, actor.id, address);
    if (request.clientId === PAIRING_CLIENT.id) return this.approvePairing(request, actor, address, choice.controller);
    const scopes = choice.scopes;
    const granted = [...new Set(scopes ?? request.requestedScopes)];
    const beyond = granted.filter((scope) => !request.requestedScopes.includes(scope));
    if (beyond.length > 0)
      throw new ProblemException(400, `The request did not ask for ${beyond.join(', ')}`, {
        code: 'scope_not_requested',
      });
    if (granted.length === 0)
      throw new ProblemException(400, 'Approve at least one scope, or deny the request', { code: 'no_scope' });
    const held = (await this.permissions.forUser(actor.id)).at(request.resource);
    const notHeld = granted.filter((scope) => !held.has(scope));
    if (notHeld.length > 0)
      throw new ProblemException(
        403,
        `You do not hold ${notHeld.join(', ')} at ${request.resource}: a sign-in cannot carry more than you hold`,
        {
          code: 'scope_not_held',
        },
      );
    await this.decide(request, 'approved', actor, address, granted, null);
    return granted;
  }

  /** A pairing: only an admin (it registers a client); the device gets its own topics, its controller commands it. */
  private async approvePairing(
    request: DeviceAuthorizationEntity,
    actor: AuditActor & { id: string },
    address: string,
    controller: string | undefined,
  ): Promise<string[]> {
    const permissions = await this.permissions.forUser(actor.id);
    if (!this.pairing.mayApprove(permissions.at(this.config.managementApiIndicator)))
      throw new ProblemException(403, 'Pairing a device registers a client: it needs the admin scope', {
        code: 'admin_required',
      });
    // Registered first: if that fails, the request is still pending and can be approved again.
    await this.pairing.register(request, controller, { ...actor, address });
    await this.decide(request, 'approved', actor, address, request.requestedScopes, controller ?? null);
    return request.requestedScopes;
  }

  async deny(typedCode: string, actor: AuditActor & { id: string }, address: string): Promise<void> {
    const request = await this.pendingByUserCode(typedCode, actor.id, address);
    await this.decide(request, 'denied', actor, address, null, null);
  }

  /** RFC 8628 §3.4–3.5: the client polls with its device code. */
  async poll(deviceCode: string, clientId: string, address: string): Promise<TokenResponse> {
    const request = await this.requests.findByDeviceCodeHash(hashCredential(deviceCode));
    if (!request || request.clientId !== clientId)
      throw new OAuthError('invalid_grant', 'Unknown device_code (or one issued to another client)');
    const now = this.clock.now();
    if (request.status === 'issued') throw new OAuthError('invalid_grant', 'This device_code was already used');
    if (request.expiresAt <= now)
      throw new OAuthError('expired_token', 'The device_code expired: start the sign-in again');
    if (request.status === 'denied') throw new OAuthError('access_denied', 'The request was denied');
    if (request.status === 'pending') {
      const early = request.lastPolledAt && now.getTime() - request.lastPolledAt.getTime() < request.interval * 1000;
      const interval = early ? request.interval + SLOW_DOWN_SECONDS : request.interval;
      await this.requests.recordPoll(request.id, now, interval);
      if (early) throw new OAuthError('slow_down', `Poll at most every ${interval} s`);
      throw new OAuthError('authorization_pending', 'Waiting for a person to approve the request in the console');
    }
    if (!(await this.requests.claimForIssue(request.id)))
      throw new OAuthError('invalid_grant', 'This device_code was already used');
    const issued =
      request.clientId === PAIRING_CLIENT.id
        ? { response: await this.pairing.issue(request), credential: { type: 'client', id: request.deviceId! } }
        : await this.issuePat(request, address);
    await this.audit.record({
      action: 'device.authorization.issued',
      outcome: 'success',
      actor: { type: 'client', id: request.clientId },
      credential: issued.credential,
      address,
      details: { requestId: request.id, userId: request.userId, scopes: request.grantedScopes },
    });
    return issued.response;
  }

  /** The CLI's credential: a PAT of the approving person, with the approved scopes, for the request's resource only. */
  private async issuePat(
    request: DeviceAuthorizationEntity,
    address: string,
  ): Promise<{ response: TokenResponse; credential: { type: string; id: string } }> {
    const owner = await this.users.require(request.userId!);
    const policy = await this.patPolicy.get();
    const days = Math.min(CLI_CREDENTIAL_DAYS, policy.maxLifetimeDays);
    const actor: AuditActor = { type: 'user', id: owner.id, address };
    const created = await this.pats.create(
      owner,
      {
        name: `${CLI_CLIENT.name} sign-in ${request.id.slice(0, 8)}`,
        scopes: request.grantedScopes!,
        resource: [request.resource],
        expiresInDays: days,
      },
      actor,
      { issuedVia: 'device_authorization' },
    );
    await this.requests.recordIssued(request.id, created.id);
    return {
      response: {
        access_token: created.token,
        token_type: 'Bearer',
        expires_in: Math.round((days * DAY_MS) / 1000),
        scope: request.grantedScopes!.join(' '),
      },
      credential: { type: 'pat', id: created.id },
    };
  }

  private async decide(
    request: DeviceAuthorizationEntity,
    status: 'approved' | 'denied',
    actor: AuditActor & { id: string },
    address: string,
    grantedScopes: string[] | null,
    controllerId: string | null,
  ): Promise<void> {
    const decided = await this.requests.decide(request.id, {
      status,
      userId: actor.id,
      grantedScopes,
      controllerId,
      decidedAt: this.clock.now(),
    });
    if (!decided)
      throw new ProblemException(409, 'This request was already approved or denied', { code: 'already_decided' });
    await this.audit.record({
      action: `device.authorization.${status}`,
      outcome: 'success',
      actor,
      address,
      details: {
        requestId: request.id,
        clientId: request.clientId,
        resource: request.resource,
        scopes: grantedScopes ?? [],
      },
    });
  }

  /**
   * The pending request a user code names. A code that names none (malformed, unknown, expired,
   * decided) counts as a failed try of this person from this address; past the limit, 429.
   */
  private async pendingByUserCode(
    typedCode: string,
    userId: string,
    address: string,
  ): Promise<DeviceAuthorizationEntity> {
    const reservation = await this.userCodeGuesses.reserve({ id: userId, address });
    if (reservation.blocked)
      throw new ProblemException(429, `Too many wrong codes; retry in ${reservation.retryAfterSeconds} s`, {
        code: 'rate_limited',
        headers: { 'Retry-After': String(reservation.retryAfterSeconds) },
      });
    const code = normalizeUserCode(typedCode);
    const request = code ? await this.requests.findByUserCodeHash(hashCredential(code)) : null;
    if (!request || request.status !== 'pending' || request.expiresAt <= this.clock.now()) {
      await reservation.failed();
      await this.audit.record({
        action: 'device.user_code.refused',
        outcome: 'failure',
        actor: { type: 'user', id: userId },
        address,
        reason: request ? `request ${request.status === 'pending' ? 'expired' : request.status}` : 'no such code',
      });
      throw new ProblemException(404, 'No sign-in request waits for this code: check it, or start the sign-in again', {
        code: 'device_code_not_found',
      });
    }
    await reservation.succeeded();
    return request;
  }
}
