/** What the tests read of an HTTP answer: status, parsed body and headers. */
interface Answer {
  status: number;
  body: unknown;
  headers: { get(name: string): string | null };
}

/**
 * A protected route's refusal of a bearer token (RFC 6750 §3.1): 401 problem details carrying the
 * OAuth error, and the matching `WWW-Authenticate` challenge.
 */
export function expectInvalidToken(response: Answer, description: string): void {
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
    `Bearer realm="tollgate", error="invalid_token", error_description="${description}"`,
  );
}
