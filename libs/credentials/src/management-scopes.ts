/**
 * Scopes of the auth-server's management API, the resource its metadata names in
 * `management_api_resource`: the auth-server requires them, resource servers and brokers ask for them.
 */
export const MANAGEMENT_SCOPES = {
  /** Everything under /api except /api/me. */
  admin: 'admin',
  /** Introspect any token (resource servers). */
  introspect: 'tokens:introspect',
  /** Report credential usage and denials (resource servers). */
  usageWrite: 'usage:write',
  /** Read the revocation feed (resource servers, brokers). */
  revocationsRead: 'revocations:read',
} as const;

/** Every scope the management API defines. */
export const MANAGEMENT_API_SCOPES: string[] = Object.values(MANAGEMENT_SCOPES);
