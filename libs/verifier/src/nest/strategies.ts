import { Inject, Injectable, type Type } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy as PassportBaseStrategy } from 'passport';
import { Strategy as HttpBearerStrategy } from 'passport-http-bearer';
import { CredentialVerifier, type VerifiedRequest } from '../credential.verifier.js';
import type { Principal } from '../principal.js';

/** What a strategy hands passport: the user, and as `info` the headers the answer must carry. */
type Authenticated = [Principal, { headers: Record<string, string> }];

async function authenticated(verified: Promise<VerifiedRequest>): Promise<Authenticated> {
  const { principal, headers } = await verified;
  return [principal, { headers }];
}

interface RequestWithAddress {
  ip: string;
  headers: Record<string, string | string[] | undefined>;
}

type VerifyCallback = (
  request: RequestWithAddress,
  key: string,
  done: (error: unknown, user?: Principal | false, info?: object) => void,
) => void;

/** Passport strategy reading an API key from the `X-API-Key` header (Stripe/Unkey style). */
class ApiKeyHeaderStrategy extends PassportBaseStrategy {
  constructor(private readonly verifyKey: VerifyCallback) {
    super();
  }

  override authenticate(raw: unknown): void {
    const request = raw as RequestWithAddress;
    const key = request.headers['x-api-key'];
    if (typeof key !== 'string') return this.fail(401);
    this.verifyKey(request, key, (error, principal, info) => {
      if (error) return this.error(error as Error);
      if (!principal) return this.fail(401);
      this.success(principal, info);
    });
  }
}

/**
 * Passport keeps strategies in one process-wide registry, so each VerifierModule instance gets its
 * own strategy names: several Nest apps in one process (tests, a hybrid app) must not replace each
 * other's verifier.
 */
export function createStrategies(suffix: string): { names: string[]; providers: Type[] } {
  const bearerName = `tollgate-bearer-${suffix}`;
  const apiKeyName = `tollgate-api-key-${suffix}`;

  /** `Authorization: Bearer …` (JWTs, PATs, API keys) through passport-http-bearer. */
  @Injectable()
  class BearerStrategy extends PassportStrategy(HttpBearerStrategy, bearerName) {
    constructor(@Inject(CredentialVerifier) private readonly verifier: CredentialVerifier) {
      super({ passReqToCallback: true });
    }

    validate(request: RequestWithAddress, token: string): Promise<Authenticated> {
      return authenticated(this.verifier.verifyRequest(token, { address: request.ip }));
    }
  }

  /** `X-API-Key: tgk_…`. */
  @Injectable()
  class ApiKeyStrategy extends PassportStrategy(ApiKeyHeaderStrategy, apiKeyName) {
    constructor(@Inject(CredentialVerifier) private readonly verifier: CredentialVerifier) {
      super();
    }

    validate(request: RequestWithAddress, key: string): Promise<Authenticated> {
      return authenticated(this.verifier.verifyRequest(key, { address: request.ip }));
    }
  }

  return { names: [bearerName, apiKeyName], providers: [BearerStrategy, ApiKeyStrategy] };
}
