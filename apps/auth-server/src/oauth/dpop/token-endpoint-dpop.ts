import { Inject, Injectable } from '@nestjs/common';
import { DpopNonces, DpopProofError, acceptDpopProof } from '@tollgate/dpop';
import { CLOCK, type Clock } from '@tollgate/platform';
import { OAuthError } from '@tollgate/platform/http';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../../config/auth-server.config.js';
import { DpopReplays } from './dpop-replays.js';
import type { SenderBinding } from '../sender-binding.js';

/**
 * The token endpoint's side of DPoP (RFC 9449 §4.3, §5, §8): checks the `DPoP` header of a token
 * request against the token endpoint's own URL (the issuer's, not what the Host header claims),
 * refuses a proof seen before, and asks for the server nonce when nonces are required. Returns the
 * key the token is to be bound to, or undefined when the request carries no proof.
 */
@Injectable()
export class TokenEndpointDpop {
  private readonly tokenEndpoint: string;

  constructor(
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
    private readonly replays: DpopReplays,
    private readonly nonces: DpopNonces,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.tokenEndpoint = `${config.issuer}/oauth/token`;
  }

  /** `url`: the token endpoint the request came to, when not the issuer's (the mTLS alias). */
  async binding(header: string | string[] | undefined, url = this.tokenEndpoint): Promise<SenderBinding | undefined> {
    if (header === undefined) return undefined;
    if (Array.isArray(header))
      throw this.refusal(new DpopProofError('invalid_dpop_proof', 'Send one DPoP header', 'repeated_header'));
    const now = this.clock.now().getTime();
    try {
      const proof = await acceptDpopProof(
        header,
        {
          method: 'POST',
          url,
          now,
          nonce: this.config.dpop.requireNonce ? (nonce) => this.nonces.isValid(nonce) : undefined,
        },
        this.replays,
      );
      return { kind: 'dpop', jkt: proof.thumbprint };
    } catch (error) {
      if (error instanceof DpopProofError) throw this.refusal(error);
      throw error;
    }
  }

  /** `DPoP-Nonce` for the answer (RFC 9449 §8): the nonce the client's next proof carries, when nonces are required. */
  nonceHeader(): Record<string, string> {
    return this.config.dpop.requireNonce ? { 'DPoP-Nonce': this.nonces.current() } : {};
  }

  private refusal(error: DpopProofError): OAuthError {
    return new OAuthError(error.code, error.description, 400, this.nonceHeader());
  }
}
