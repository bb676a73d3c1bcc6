/** One use of a credential, as reported by a resource server or seen by the auth-server itself. */
export interface CredentialUse {
  credentialType: 'pat' | 'api_key';
  credentialId: string;
  at: Date;
  address: string | null;
}

/** Stores "last used" for their credentials, in batches (the usage service calls it off the request path). */
export interface LastUsedSink {
  readonly kind: 'pat' | 'api_key';
  recordLastUsed(latest: CredentialUse[]): Promise<void>;
}
