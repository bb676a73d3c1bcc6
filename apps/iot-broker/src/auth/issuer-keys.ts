import { discoverAuthorizationServer } from '@tollgate/m2m-client';
import type { Logger } from '@tollgate/platform';
import { remoteKeySet } from '@tollgate/verifier';
import type { JWTVerifyGetKey } from 'jose';

export interface IssuerKeysOptions {
  logger: Logger;
  /** After a failed discovery, tokens are refused as "server unavailable" for this long before trying again. */
  retryAfterMs?: number;
  now?: () => number;
}

/**
 * The issuer's signing keys, found through its RFC 8414 metadata (`jwks_uri`) on first use rather
 * than at boot: the broker starts while the auth-server is still down, answers CONNECT with
 * "server unavailable" meanwhile, and needs no restart once it is up.
 */
export function discoveredKeySet(issuer: string, { logger, retryAfterMs = 5_000, now = Date.now }: IssuerKeysOptions): JWTVerifyGetKey {
  let keys: JWTVerifyGetKey | undefined;
  let discovering: Promise<JWTVerifyGetKey> | undefined;
  let failedAt = -Infinity;

  const resolveKeys = (): Promise<JWTVerifyGetKey> => {
    if (keys) return Promise.resolve(keys);
    if (discovering) return discovering;
    if (now() - failedAt < retryAfterMs) return Promise.reject(new Error(`The issuer ${issuer} was unreachable moments ago`));
    discovering = discoverAuthorizationServer(issuer)
      .then((metadata) => {
        keys = remoteKeySet(metadata.jwks_uri);
        logger.info({ issuer, jwksUri: metadata.jwks_uri }, 'issuer discovered');
        return keys;
      })
      .catch((error: Error) => {
        failedAt = now();
        logger.warn({ issuer, error: error.message }, 'issuer discovery failed; device tokens cannot be checked yet');
        throw error;
      })
      .finally(() => {
        discovering = undefined;
      });
    return discovering;
  };

  return async (header, token) => (await resolveKeys())(header, token);
}
