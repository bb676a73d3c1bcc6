/** What kind of credential authenticated a request. */
export type CredentialType = 'access_token' | 'pat' | 'api_key';

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
  /** The registered API consumer an API key belongs to. */
  consumerId?: string;
  scopes: ReadonlySet<string>;
  audience: readonly string[];
  issuedAt?: Date;
  expiresAt?: Date;
}
