import type { CredentialVerifier } from '../credential.verifier.js';
import type { ResourceServerVerification } from '../resource-server-verification.js';
import { ProtectedResource, type ProtectedResourceOptions } from './protected-resource-metadata.js';
import type { DeniedRequestListener } from './request-authentication.js';
import type { SenderConstraint } from './sender-constraint.js';

/** What the Express middleware and the Fastify plugin are configured with. */
export interface ResourceServerOptions {
  /** How credentials are verified: the feed, caches and usage reports of this resource server. */
  verification: Pick<ResourceServerVerification, 'verifier' | 'usage' | 'options' | 'senderConstraint'>;
  /** The `realm` of WWW-Authenticate challenges (default `tollgate`). */
  realm?: string;
  /**
   * RFC 9728 metadata, served at its well-known path and named in every challenge. Default: this
   * resource (the verification's indicator, when it is an http(s) URL) and its issuer; `false` serves none.
   */
  protectedResource?: ProtectedResource | ResourceDescription | false;
  /** Called for every refused request that presented a credential, after it is counted in the usage report. */
  onDenied?: DeniedRequestListener;
}

export interface ResolvedResourceServerOptions {
  verifier: CredentialVerifier;
  realm: string;
  protectedResource?: ProtectedResource;
  onDenied: DeniedRequestListener;
  senderConstraint: SenderConstraint;
}

/** What a resource server says of itself beyond its identifier and issuer (RFC 9728 §2). */
export type ResourceDescription = Pick<ProtectedResourceOptions, 'scopes' | 'name' | 'documentation'>;

/**
 * The RFC 9728 description of the resource a verification protects (its indicator, its issuer);
 * undefined when the indicator is not an http(s) URL and so has no well-known metadata.
 */
export function protectedResourceOf(
  verification: Pick<ResourceServerVerification, 'options'>,
  description: ResourceDescription = {},
): ProtectedResource | undefined {
  return ProtectedResource.describing({
    resource: verification.options.resource,
    authorizationServers: [verification.options.issuer],
    ...description,
  });
}

export function resolveResourceServerOptions(options: ResourceServerOptions): ResolvedResourceServerOptions {
  const { verification, protectedResource: described } = options;
  return {
    verifier: verification.verifier,
    senderConstraint: verification.senderConstraint,
    realm: options.realm ?? 'tollgate',
    protectedResource:
      described === false
        ? undefined
        : described instanceof ProtectedResource
          ? described
          : protectedResourceOf(verification, described),
    onDenied: (denied) => {
      verification.usage?.recordDenial(denied);
      options.onDenied?.(denied);
    },
  };
}
