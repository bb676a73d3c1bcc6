import { createRemoteJWKSet, jwtVerify } from 'jose';
import { type JsonResponse, request } from './http-client.js';

export interface ExpectedAccessToken {
  /** RFC 8414 / OIDC discovery document of the server that issued it. */
  metadataUrl: string;
  audience: string;
  scope: string;
  clientId: string;
}

/**
 * Fails loudly unless `response` is a 200 carrying an RFC 9068 JWT access token (`typ: at+jwt`,
 * ES256) that verifies against the issuer's published keys with the expected audience, scope and
 * client: both sides of a benchmark must do the same work before their speed is compared.
 */
export async function assertAccessTokenResponse(
  who: string,
  response: JsonResponse,
  expected: ExpectedAccessToken,
): Promise<void> {
  const fail = (problem: string) =>
    new Error(`${who}: ${problem}; answer: ${response.status} ${JSON.stringify(response.body)}`);
  if (response.status !== 200) throw fail('the token request did not succeed');
  const { access_token: token, token_type: tokenType } = response.body ?? {};
  if (typeof token !== 'string' || String(tokenType).toLowerCase() !== 'bearer') throw fail('no bearer access_token');
  const metadata = await request(expected.metadataUrl);
  if (metadata.status !== 200 || typeof metadata.body.jwks_uri !== 'string')
    throw fail(`no jwks_uri in ${expected.metadataUrl}`);
  let verified;
  try {
    verified = await jwtVerify(token, createRemoteJWKSet(new URL(metadata.body.jwks_uri)), {
      issuer: metadata.body.issuer,
      audience: expected.audience,
      typ: 'at+jwt',
      algorithms: ['ES256'],
    });
  } catch (error) {
    throw fail(`the access token does not verify (${(error as Error).message})`);
  }
  const { scope, client_id: clientId } = verified.payload;
  if (scope !== expected.scope || clientId !== expected.clientId)
    throw fail(`unexpected claims scope=${String(scope)} client_id=${String(clientId)}`);
}
