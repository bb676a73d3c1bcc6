import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy as PassportBaseStrategy } from 'passport';
import { Strategy as HttpBearerStrategy } from 'passport-http-bearer';
import { CredentialVerifier } from '../credential.verifier.js';
import type { Principal } from '../principal.js';

export const BEARER_STRATEGY = 'tollgate-bearer';
export const API_KEY_STRATEGY = 'tollgate-api-key';

interface RequestWithAddress {
  ip: string;
  headers: Record<string, string | string[] | undefined>;
}

/** `Authorization: Bearer …` (JWTs, PATs, API keys) through passport-http-bearer. */
@Injectable()
export class BearerStrategy extends PassportStrategy(HttpBearerStrategy, BEARER_STRATEGY) {
  constructor(private readonly verifier: CredentialVerifier) {
    super({ passReqToCallback: true });
  }

  validate(request: RequestWithAddress, token: string): Promise<Principal> {
    return this.verifier.verify(token, { address: request.ip });
  }
}

type VerifyCallback = (request: RequestWithAddress, key: string, done: (error: unknown, user?: Principal | false) => void) => void;

/** Passport strategy reading an API key from the `X-API-Key` header (Stripe/Unkey style). */
class ApiKeyHeaderStrategy extends PassportBaseStrategy {
  constructor(private readonly verifyKey: VerifyCallback) {
    super();
  }

  override authenticate(raw: unknown): void {
    const request = raw as RequestWithAddress;
    const key = request.headers['x-api-key'];
    if (typeof key !== 'string') return this.fail(401);
    this.verifyKey(request, key, (error, principal) => {
      if (error) return this.error(error as Error);
      if (!principal) return this.fail(401);
      this.success(principal);
    });
  }
}

@Injectable()
export class ApiKeyStrategy extends PassportStrategy(ApiKeyHeaderStrategy, API_KEY_STRATEGY) {
  constructor(private readonly verifier: CredentialVerifier) {
    super();
  }

  validate(request: RequestWithAddress, key: string): Promise<Principal> {
    return this.verifier.verify(key, { address: request.ip });
  }
}
