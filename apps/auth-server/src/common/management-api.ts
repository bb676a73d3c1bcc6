/** Scopes of the management API resource (its indicator is `<AUTH_ISSUER>/api`). */
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

export const MANAGEMENT_API_SCOPES: string[] = Object.values(MANAGEMENT_SCOPES);
