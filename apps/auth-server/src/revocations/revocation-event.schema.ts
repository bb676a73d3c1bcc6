import type { SchemaObject } from '@nestjs/swagger';

const event = (type: string, properties: Record<string, SchemaObject>, description: string): SchemaObject => ({
  type: 'object',
  description,
  required: ['seq', 'at', 'type', ...Object.keys(properties)],
  properties: {
    seq: { type: 'string', description: 'Position in the feed (the SSE event id); resume after it' },
    at: { type: 'integer', description: 'When it happened (ms since the epoch)' },
    type: { type: 'string', enum: [type] },
    ...properties,
  },
});

const SUBJECT_KIND: SchemaObject = { type: 'string', enum: ['client', 'user', 'consumer'] };

/** One event of the revocation feed (SequencedRevocationEvent in @tollgate/verifier), as the list and the stream carry it. */
export const REVOCATION_EVENT_SCHEMA: SchemaObject = {
  description: 'A revocation event; verifiers apply each at once',
  oneOf: [
    event(
      'credential.revoked',
      {
        credentialType: { type: 'string', enum: ['api_key', 'pat', 'client_secret'] },
        credentialId: { type: 'string' },
      },
      'A PAT, API key or client secret was revoked',
    ),
    event(
      'credential.changed',
      { credentialType: { type: 'string', enum: ['api_key', 'pat'] }, credentialId: { type: 'string' } },
      'A PAT or API key changed (scopes, limits): cached decisions about it are dropped',
    ),
    event(
      'token.revoked',
      {
        jti: { type: 'string' },
        exp: { type: 'integer', description: 'The token’s expiry (s): no need to remember it after' },
      },
      'One JWT access token was revoked (RFC 7009)',
    ),
    event(
      'subject.revoked_before',
      { kind: SUBJECT_KIND, id: { type: 'string' }, before: { type: 'integer', description: 'ms since the epoch' } },
      'Every token of a client, user or consumer issued before `before` is revoked',
    ),
    event(
      'subject.changed',
      { kind: SUBJECT_KIND, id: { type: 'string' } },
      'A client, user or consumer changed (roles, grants, disabled): cached decisions about it are dropped',
    ),
    event('signing_key.retired', { kid: { type: 'string' } }, 'Tokens signed with this key are no longer accepted'),
  ],
};
