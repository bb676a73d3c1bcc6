/** What the tests read of an HTTP answer: status, parsed body and headers. */
interface Answer {
  status: number;
  body: unknown;
  headers: { get(name: string): string | null };
}

/** Where the auth-server's management API (`<issuer>/api`) describes itself (RFC 9728 §3.1). */
export const managementApiMetadata = (issuer: string) => `${issuer}/.well-known/oauth-protected-resource/api`;

/**
 * The management API's refusal of a bearer token (RFC 6750 §3.1): 401 problem details carrying the
 * OAuth error, and the matching `WWW-Authenticate` challenge naming its RFC 9728 metadata.
 */
export function expectInvalidToken(response: Answer, description: string, issuer: string): void {
  expect({ status: response.status, body: response.body }).toEqual({
    status: 401,
    body: {
      type: 'urn:tollgate:problem:invalid_token',
      title: 'Unauthorized',
      status: 401,
      detail: description,
      error: 'invalid_token',
      error_description: description,
    },
  });
  expect(response.headers.get('www-authenticate')).toBe(
    `Bearer realm="tollgate", error="invalid_token", error_description="${description}", resource_metadata="${managementApiMetadata(issuer)}"`,
  );
}
