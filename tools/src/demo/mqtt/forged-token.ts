import { generateKeyPair, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';

/**
 * An access token that looks right in every claim (issuer, audience, subject, scope, lifetime, even
 * the `kid` of the auth-server's current key) but is signed with a key pair made up on the spot:
 * what an attacker without the auth-server's private key can produce.
 */
export async function forgeAccessToken(claims: {
  issuer: string;
  audience: string;
  subject: string;
  scope: string;
  kid?: string;
}): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: claims.scope, client_id: claims.subject })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', ...(claims.kid ? { kid: claims.kid } : {}) })
    .setIssuer(claims.issuer)
    .setAudience(claims.audience)
    .setSubject(claims.subject)
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .setJti(randomUUID())
    .sign(privateKey);
}
