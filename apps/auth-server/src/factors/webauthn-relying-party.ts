import { Inject, Injectable } from '@nestjs/common';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';

/**
 * Who passkeys are registered with (WebAuthn's relying party): the issuer's host name is the RP ID
 * and its origin the only origin whose answers count, so a passkey made for this console answers
 * for nowhere else (phishing resistance). The RP ID must be a domain (`localhost` included):
 * browsers refuse passkeys on an issuer that is an IP address.
 */
@Injectable()
export class WebAuthnRelyingParty {
  readonly id: string;
  readonly origin: string;
  readonly name = 'Tollgate';

  constructor(@Inject(AUTH_SERVER_CONFIG) config: AuthServerConfig) {
    const issuer = new URL(config.issuer);
    this.id = issuer.hostname;
    this.origin = issuer.origin;
  }
}
