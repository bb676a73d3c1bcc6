import type { CredentialVerifier } from '../credential.verifier.js';
import type { ResourceServerVerification } from '../resource-server-verification.js';
import { ProtectedResource } from './protected-resource-metadata.js';
import type { DeniedRequestListener } from './request-authentication.js';

/** What the Express middleware and the Fastify plugin are configured with. */
export interface ResourceServerOptions {
  /** How credentials are verified: the feed, caches and usage reports of this resource server. */
  verification: Pick<ResourceServerVerification, 'verifier' | 'usage' | 'options'>;
  /** The `realm` of WWW-Authenticate challenges (default `tollgate`). */
  realm?: string;
  /**
   * RFC 9728 metadata, served at its well-known path and named in every challenge. Default: this
   * resource (the verification's indicator) and its issuer; `false` serves none.
   */
  protectedResource?: ProtectedResource | { scopes?: string[]; name?: string; documentation?: string } | false;
  /** Called for every refused request that presented a credential, after it is counted in the usage report. */
  onDenied?: DeniedRequestListener;
}

export interface ResolvedResourceServerOptions {
  verifier: CredentialVerifier;
  realm: string;
  protectedResource?: ProtectedResource;
  onDenied: DeniedRequestListener;
}

export function resolveResourceServerOptions(options: ResourceServerOptions): ResolvedResourceServerOptions {
  const { verification } = options;
  const described = options.protectedResource;
  return {
    verifier: verification.verifier,
    realm: options.realm ?? 'tollgate',
    protectedResource:
      described === false
        ? undefined
        : described instanceof ProtectedResource
          ? described
          : new ProtectedResource({
              resource: verification.options.resource,
              authorizationServers: [verification.options.issuer],
              ...described,
            }),
    onDenied: (denied) => {
      verification.usage?.recordDenial(denied);
      options.onDenied?.(denied);
    },
  };
}
