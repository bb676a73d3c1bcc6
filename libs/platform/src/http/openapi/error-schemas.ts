import type { SchemaObject } from '@nestjs/swagger';

/** RFC 9457 problem details: every error answer outside the OAuth endpoints (see ProblemDetailsFilter). */
export const PROBLEM_SCHEMA: SchemaObject = {
  type: 'object',
  description:
    'Problem details (RFC 9457). `type` is `about:blank` or `urn:tollgate:problem:<code>`, a stable code to branch on; answers to a missing or refused credential also carry the RFC 6750 `error` code.',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', format: 'uri-reference', examples: ['urn:tollgate:problem:not_found'] },
    title: { type: 'string', examples: ['Not Found'] },
    status: { type: 'integer', minimum: 400, maximum: 599, examples: [404] },
    detail: { type: 'string', examples: ['No API key has this id'] },
    instance: { type: 'string', format: 'uri-reference' },
    error: {
      type: 'string',
      description: 'RFC 6750 §3.1 error code on 401 and 403 answers (as in WWW-Authenticate)',
      enum: ['invalid_request', 'invalid_token', 'insufficient_scope'],
    },
    errors: {
      type: 'array',
      items: { type: 'string' },
      description: 'One message per invalid field (validation errors)',
    },
  },
  additionalProperties: true,
};

/** RFC 6749 §5.2 error response: every error answer of the OAuth endpoints. */
export const OAUTH_ERROR_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'OAuth 2.0 error response (RFC 6749 §5.2, RFC 7009 §2.2.1, RFC 8693 §2.2.2)',
  required: ['error'],
  properties: {
    error: {
      type: 'string',
      examples: ['invalid_client'],
      description:
        'invalid_request, invalid_client, invalid_grant, unauthorized_client, unsupported_grant_type, invalid_scope, invalid_target, unsupported_token_type, temporarily_unavailable, …',
    },
    error_description: { type: 'string', examples: ['Client authentication failed'] },
  },
};

export const PROBLEM_SCHEMA_NAME = 'Problem';
export const OAUTH_ERROR_SCHEMA_NAME = 'OAuthError';
