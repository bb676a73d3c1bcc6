import type { SchemaObject } from '@nestjs/swagger';

/**
 * The OAuth endpoints' answers as JSON Schemas, published in the OpenAPI document under these
 * names. They describe the wire formats of the RFCs (which are not Nest DTOs: the endpoints take
 * forms and answer what the RFCs say).
 */
export const OAUTH_SCHEMAS: Record<string, SchemaObject> = {
  TokenResponse: {
    type: 'object',
    description:
      'Successful token response (RFC 6749 §5.1; RFC 8693 §2.2.1 for token exchange). Never a refresh token.',
    required: ['access_token', 'token_type', 'expires_in', 'scope'],
    properties: {
      access_token: { type: 'string', description: 'A JWT access token (RFC 9068), audience the requested resource' },
      token_type: { type: 'string', enum: ['Bearer', 'DPoP'] },
      expires_in: { type: 'integer', minimum: 1, examples: [900] },
      scope: { type: 'string', description: 'The scopes granted, space-separated', examples: ['contacts:read'] },
      client_id: {
        type: 'string',
        description: 'Device pairing (the device grant) only: the client id the device was registered as',
        examples: ['thermostat-3'],
      },
      issued_token_type: {
        type: 'string',
        description: 'Token exchange only',
        examples: ['urn:ietf:params:oauth:token-type:access_token'],
      },
    },
    examples: [
      {
        access_token: 'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6Ii4uLiJ9.eyJpc3MiOiIuLi4ifQ.c2lnbmF0dXJl',
        token_type: 'Bearer',
        expires_in: 900,
        scope: 'contacts:read',
      },
    ],
  },
  IntrospectionResponse: {
    type: 'object',
    description:
      'Token introspection answer (RFC 7662 §2.2): `{"active": false}` for any token that is not active or that the caller may not see; otherwise its claims. PATs and API keys (introspectable by resource servers only) add credential_type, credential_id and, where set, user_id, consumer_id, ip_allowlist and rate_limit.',
    required: ['active'],
    properties: {
      active: { type: 'boolean' },
      token_type: { type: 'string', enum: ['Bearer', 'DPoP'] },
      scope: { type: 'string', description: 'Scopes at the resource asked about, space-separated' },
      client_id: { type: 'string' },
      sub: { type: 'string' },
      aud: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
      iss: { type: 'string', format: 'uri' },
      exp: { type: 'integer' },
      iat: { type: 'integer' },
      jti: { type: 'string' },
      username: { type: 'string' },
      pat_id: { type: 'string', description: 'For a JWT exchanged for a personal access token (RFC 8693)' },
      cnf: {
        type: 'object',
        description:
          'RFC 7800 confirmation of a sender-constrained token: jkt, the DPoP key thumbprint (RFC 9449 §6.2)',
        properties: { jkt: { type: 'string' } },
      },
      credential_type: { type: 'string', enum: ['pat', 'api_key'] },
      credential_id: { type: 'string' },
      user_id: { type: 'string' },
      consumer_id: { type: 'string' },
      ip_allowlist: { type: 'array', items: { type: 'string' } },
      rate_limit: {
        type: 'object',
        required: ['requests', 'per_seconds', 'bucket'],
        properties: {
          requests: { type: 'integer' },
          per_seconds: { type: 'integer' },
          bucket: { type: 'string', description: 'Shared by a key and the key it was rolled from' },
        },
      },
    },
    examples: [
      { active: false },
      {
        active: true,
        token_type: 'Bearer',
        scope: 'contacts:read',
        client_id: 'service-a',
        sub: 'service-a',
        aud: 'https://crm.tollgate.local',
        iss: 'http://localhost:7400',
        exp: 1796350000,
        iat: 1796349100,
        jti: '0b7b3c3e5f0f4d2f9b1e6c1a2d3e4f50',
      },
    ],
  },
  DeviceAuthorizationResponse: {
    type: 'object',
    description: 'Device authorization response (RFC 8628 §3.2)',
    required: ['device_code', 'user_code', 'verification_uri', 'expires_in'],
    properties: {
      device_code: { type: 'string', description: 'The client’s secret for polling the token endpoint' },
      user_code: { type: 'string', examples: ['BCDF-GHJK'], description: 'What the person enters in the console' },
      verification_uri: { type: 'string', format: 'uri', examples: ['http://localhost:7400/console/device'] },
      verification_uri_complete: { type: 'string', format: 'uri' },
      expires_in: { type: 'integer', examples: [600] },
      interval: { type: 'integer', examples: [5], description: 'Seconds between polls' },
    },
  },
  AuthorizationServerMetadata: {
    type: 'object',
    description:
      'RFC 8414 metadata, with three Tollgate extensions: management_api_resource (the management API’s RFC 8707 indicator), revocation_feed_endpoint and usage_endpoint.',
    required: ['issuer', 'token_endpoint', 'jwks_uri', 'grant_types_supported'],
    properties: {
      issuer: { type: 'string', format: 'uri' },
      token_endpoint: { type: 'string', format: 'uri' },
      jwks_uri: { type: 'string', format: 'uri' },
      introspection_endpoint: { type: 'string', format: 'uri' },
      revocation_endpoint: { type: 'string', format: 'uri' },
      device_authorization_endpoint: { type: 'string', format: 'uri' },
      response_types_supported: { type: 'array', items: { type: 'string' } },
      grant_types_supported: { type: 'array', items: { type: 'string' } },
      token_endpoint_auth_methods_supported: { type: 'array', items: { type: 'string' } },
      token_endpoint_auth_signing_alg_values_supported: { type: 'array', items: { type: 'string' } },
      introspection_endpoint_auth_methods_supported: { type: 'array', items: { type: 'string' } },
      introspection_endpoint_auth_signing_alg_values_supported: { type: 'array', items: { type: 'string' } },
      revocation_endpoint_auth_methods_supported: { type: 'array', items: { type: 'string' } },
      revocation_endpoint_auth_signing_alg_values_supported: { type: 'array', items: { type: 'string' } },
      access_token_signing_alg_values_supported: { type: 'array', items: { type: 'string' } },
      token_exchange_subject_token_types_supported: { type: 'array', items: { type: 'string' } },
      dpop_signing_alg_values_supported: { type: 'array', items: { type: 'string' } },
      tls_client_certificate_bound_access_tokens: { type: 'boolean' },
      mtls_endpoint_aliases: {
        type: 'object',
        description: 'RFC 8705 §5: endpoints that take TLS client certificates',
        properties: { token_endpoint: { type: 'string', format: 'uri' } },
      },
      service_documentation: { type: 'string', format: 'uri' },
      management_api_resource: { type: 'string', format: 'uri' },
      revocation_feed_endpoint: { type: 'string', format: 'uri' },
      usage_endpoint: { type: 'string', format: 'uri' },
    },
    additionalProperties: true,
  },
  JsonWebKeySet: {
    type: 'object',
    description: 'JWK Set (RFC 7517 §5): public members only',
    required: ['keys'],
    properties: {
      keys: {
        type: 'array',
        items: {
          type: 'object',
          required: ['kty', 'kid'],
          properties: {
            kty: { type: 'string', examples: ['EC'] },
            kid: { type: 'string' },
            alg: { type: 'string', examples: ['ES256'] },
            use: { type: 'string', enum: ['sig'] },
            crv: { type: 'string', examples: ['P-256'] },
            x: { type: 'string' },
            y: { type: 'string' },
          },
          additionalProperties: true,
        },
      },
    },
  },
};

/** A reference to one of the schemas above. */
export const oauthSchema = (name: keyof typeof OAUTH_SCHEMAS & string) => ({ $ref: `#/components/schemas/${name}` });
