import { Injectable } from '@nestjs/common';
import type { FormParameters } from './form-parameters.js';
import type { TokenResponse } from './token-response.js';

/** A token request of a grant another module provides, with what it needs to authenticate its client itself. */
export interface ExtensionGrantRequest {
  params: FormParameters;
  authorization: string | undefined;
  address: string;
}

/**
 * A grant type handled outside the OAuth module (e.g. the device grant, RFC 8628, whose client may
 * be public): it authenticates or identifies the client itself and answers the token response.
 */
export interface ExtensionGrant {
  readonly grantType: string;
  handle(request: ExtensionGrantRequest): Promise<TokenResponse>;
}

/** The extension grants the token endpoint dispatches to; modules register theirs at start. */
@Injectable()
export class ExtensionGrants {
  private readonly grants = new Map<string, ExtensionGrant>();

  register(grant: ExtensionGrant): void {
    this.grants.set(grant.grantType, grant);
  }

  find(grantType: string): ExtensionGrant | undefined {
    return this.grants.get(grantType);
  }

  get grantTypes(): string[] {
    return [...this.grants.keys()];
  }
}
