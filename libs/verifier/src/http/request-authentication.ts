import type { CredentialVerifier, VerifiedRequest } from '../credential.verifier.js';
import type { Principal } from '../principal.js';
import { VerificationError } from '../verification-error.js';
import { CredentialRequired, InsufficientScope } from './bearer-challenge.js';
import { presentation, type PresentedCredential } from './credential-location.js';
import { SenderConstraint } from './sender-constraint.js';

/** What any HTTP framework's request offers that authentication reads. */
export interface HttpRequestLike {
  /** The client's address (behind a trusted proxy: the one it reports), for address allow-lists and rate limits. */
  ip: string;
  method: string;
  url: string;
  /** As the client addressed the server (behind a trusted proxy, the forwarded ones): DPoP proofs name this URL. */
  protocol?: string;
  host?: string;
  headers: Record<string, string | string[] | undefined>;
  query?: unknown;
  body?: unknown;
}

export interface DeniedRequest {
  error: VerificationError;
  principal?: Principal;
  address: string;
  method: string;
  path: string;
}

/** Called for every refused request that presented a credential (for audit and usage reports). */
export type DeniedRequestListener = (denied: DeniedRequest) => void;

/**
 * Authenticates one request, whatever the framework: the credential only where RFC 6750 allows it
 * (`presentedCredential`), verified (from memory when it was verified before), the deny list and
 * its own policy, then the scopes the route needs. Throws `CredentialRequired` when none was sent
 * and a `VerificationError` when it is refused; `refusalAnswer` turns either into the answer.
 */
export class RequestAuthentication {
  constructor(
    private readonly verifier: CredentialVerifier,
    private readonly onDenied?: DeniedRequestListener,
    private readonly senderConstraint: SenderConstraint = new SenderConstraint(),
  ) {}

  async authenticate(request: HttpRequestLike, requiredScopes: readonly string[] = []): Promise<VerifiedRequest> {
    let verified: VerifiedRequest | undefined;
    try {
      const presented = presentation(request);
      if (presented === undefined) throw new CredentialRequired();
      const remembered = this.verifier.cachedPrincipal(presented.credential);
      verified = remembered
        ? await this.verifier.authorize(remembered, { address: request.ip })
        : await this.verifier.verifyRequest(presented.credential, { address: request.ip });
      await this.confirmSender(request, presented, verified.principal);
      assertScopes(requiredScopes, verified.principal);
      return verified;
    } catch (error) {
      if (error instanceof VerificationError) this.denied(request, error, verified?.principal ?? error.principal);
      throw error;
    }
  }

  /** RFC 9449: a DPoP-bound token only with a proof of its key; a bearer token only as Bearer. */
  async confirmSender(request: HttpRequestLike, presented: PresentedCredential, principal: Principal): Promise<void> {
    try {
      await this.senderConstraint.confirm(request, presented, principal);
    } catch (error) {
      if (error instanceof VerificationError) error.principal = principal;
      throw error;
    }
  }

  /** Reports a refusal decided elsewhere (e.g. by a Nest guard's passport strategies). */
  denied(request: HttpRequestLike, error: VerificationError, principal?: Principal): void {
    this.onDenied?.({ error, principal, address: request.ip, method: request.method, path: request.url.split('?')[0] });
  }
}

/** Refuses with `insufficient_scope` unless the principal holds every scope the route needs. */
export function assertScopes(required: readonly string[], principal: Principal): void {
  for (const scope of required) {
    if (!principal.scopes.has(scope)) throw new InsufficientScope(required.join(' '));
  }
}
