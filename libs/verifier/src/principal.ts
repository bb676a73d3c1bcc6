/** What kind of credential authenticated a request (`session`: a signed-in user of the web console). */
export type CredentialType = 'access_token' | 'pat' | 'api_key' | 'session';

/** Per-credential policy enforced on every request (API keys). */
export interface CredentialConstraints {
  /** CIDR blocks (or single addresses) the credential may be used from. */
  ipAllowlist?: string[];
  /**
   * Token bucket: `requests` per `perSeconds`, in the bucket `bucket` (shared by a key and the key it
   * was rolled from; the credential id when absent).
   */
  rateLimit?: { requests: number; perSeconds: number; bucket?: string };
}

/** The authenticated caller of a request, whatever credential it presented. */
export interface Principal {
  credentialType: CredentialType;
  /** Stable id of the credential: the `jti` of a JWT, the record id of a PAT or an API key. */
  credentialId: string;
  /** `sub`: the client id of an M2M token, the user id of a PAT, the consumer id of an API key. */
  subject: string;
  /** The OAuth client a JWT was issued to. */
  clientId?: string;
  /** The user a PAT (or a token exchanged for one) acts for. */
  userId?: string;
  /** The PAT a JWT was obtained for by token exchange (RFC 8693, claim `pat_id`): it is checked like that PAT. */
  patId?: string;
  /** The registered API consumer an API key belongs to. */
  consumerId?: string;
  /** A human-readable name of the subject (a user's email), when there is one. */
  username?: string;
  scopes: ReadonlySet<string>;
  /** Resources the credential may be used at (empty: not restricted). */
  audience: readonly string[];
  constraints?: CredentialConstraints;
  issuedAt?: Date;
  expiresAt?: Date;
  /**
   * When the person last proved who they are (a console session: its sign-in, or a later
   * re-authentication), like OpenID Connect's `auth_time`: changes of sign-in factors want it recent.
   */
  authenticatedAt?: Date;
  /** How a PAT was issued when not in account settings: `device_authorization` (a CLI sign-in, RFC 8628). */
  issuedVia?: string;
  /** The `kid` of the key that signed a JWT: a retired key's tokens are refused (RevocationList). */
  keyId?: string;
  /**
   * RFC 7800 `cnf` of a sender-constrained token: `jkt`, the DPoP key it is bound to (RFC 9449 §6.1),
   * or `x5tS256`, the client certificate (`x5t#S256`, RFC 8705 §3.1).
   */
  confirmation?: { jkt?: string; x5tS256?: string };
}
