/**
 * The revocation feed's events, from the auth-server to every verifier.
 *
 * - `credential.revoked`: a PAT, API key or client secret was revoked (evict, refuse at once).
 * - `token.revoked`: a JWT access token's `jti` was revoked; refuse it until `exp`.
 * - `subject.revoked_before`: every JWT issued to the client/user/consumer before `before` is refused,
 *   and cached PAT/API-key results of that subject are evicted (disable, delete, "revoke all").
 * - `credential.changed`: cached results of that PAT or API key are evicted (e.g. its expiry moved);
 *   JWTs exchanged for that PAT before the event (`at`) are refused.
 * - `subject.changed`: cached results of that subject are evicted (roles changed, re-enabled); for a
 *   user, JWTs exchanged for their PATs before the event (`at`) are refused.
 * - `signing_key.retired`: refuse every JWT that key signed (it may be compromised) and refetch the JWKS.
 */
export type RevocationEvent =
  | { type: 'credential.revoked'; credentialType: 'api_key' | 'pat' | 'client_secret'; credentialId: string }
  | { type: 'credential.changed'; credentialType: 'api_key' | 'pat'; credentialId: string }
  | { type: 'token.revoked'; jti: string; exp: number }
  | { type: 'subject.revoked_before'; kind: 'client' | 'user' | 'consumer'; id: string; before: number }
  | { type: 'subject.changed'; kind: 'client' | 'user' | 'consumer'; id: string }
  | { type: 'signing_key.retired'; kid: string };

/** An event as it travels on the feed: with its position `seq` (the SSE event id) and when it happened. */
export type SequencedRevocationEvent = RevocationEvent & { seq: string; at: number };
