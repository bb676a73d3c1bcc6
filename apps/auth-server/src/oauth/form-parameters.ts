import type { FastifyRequest } from 'fastify';
import { OAuthError } from '@tollgate/platform/http';

export type FormParameters = Record<string, string>;

/**
 * The parameters of an OAuth endpoint request: a form-encoded POST body (RFC 6749 §3.2), every
 * parameter at most once. JSON bodies and repeated parameters are refused as `invalid_request`.
 */
export function formParameters(
  request: FastifyRequest,
  repeatedError: Record<string, () => OAuthError> = {},
): FormParameters {
  const contentType = request.headers['content-type'] ?? '';
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(contentType)) {
    throw new OAuthError('invalid_request', 'The request body must be application/x-www-form-urlencoded');
  }
  const body = (request.body ?? {}) as Record<string, unknown>;
  const parameters: FormParameters = Object.create(null) as FormParameters;
  for (const [name, value] of Object.entries(body)) {
    if (Array.isArray(value))
      throw (
        repeatedError[name]?.() ?? new OAuthError('invalid_request', `The parameter ${name} is included more than once`)
      );
    if (typeof value !== 'string') throw new OAuthError('invalid_request', `The parameter ${name} is malformed`);
    // RFC 6749 §3.2: parameters sent without a value are treated as omitted.
    if (value !== '') parameters[name] = value;
  }
  return parameters;
}
