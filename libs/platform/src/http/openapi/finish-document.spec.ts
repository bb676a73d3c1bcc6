import type { OpenAPIObject } from '@nestjs/swagger';
import { describe, expect, it } from 'vitest';
import { finishOpenApiDocument, unnamedOperations } from './finish-document.js';

/** What @nestjs/swagger builds for a few routes, before the conventions are applied. */
function nestDocument(): OpenAPIObject {
  return {
    openapi: '3.0.0',
    info: { title: 'test', version: '1' },
    paths: {
      '/health': { get: { operationId: 'getHealth', responses: { '200': { description: 'ok' } } } },
      '/api/keys/{id}/roll': {
        post: {
          operationId: 'rollApiKey',
          security: [{ bearer: [] }],
          'x-required-scopes': ['admin'],
          responses: { '201': { description: 'rolled' }, '403': { description: 'no scope' } },
        } as never,
      },
      '/api/keys/{id}': {
        get: {
          operationId: 'ApiKeysController_get',
          security: [{ bearer: [] }],
          'x-allowed-credentials': { credentials: ['session', 'client_credentials'] },
          responses: { '200': { description: 'the key' } },
        } as never,
      },
      '/api/me/tokens': {
        get: { operationId: 'listMyTokens', security: [{ session: [] }], responses: { '200': { description: 'ok' } } },
        post: {
          operationId: 'createMyToken',
          security: [{ session: [] }],
          responses: { '201': { description: 'ok' } },
        },
      },
      '/oauth/token': {
        post: {
          operationId: 'requestToken',
          security: [{ client: [] }],
          responses: { '200': { description: 'token' }, '400': { description: 'RFC 6749 error' } },
        },
      },
    },
    components: {
      schemas: {
        Key: {
          type: 'object',
          properties: {
            expiresAt: { type: 'string', format: 'date-time', nullable: true },
            state: { type: 'string', enum: ['active', 'revoked'], nullable: true },
            owner: { nullable: true, description: 'who', allOf: [{ $ref: '#/components/schemas/Owner' }] },
          },
        },
      },
    },
  };
}

const conventions = {
  bearerCredentials: ['accessToken', 'personalAccessToken', 'consoleSession'] as const,
  credentialSchemes: {
    session: 'consoleSession',
    client_credentials: 'accessToken',
    pat: 'personalAccessToken',
  } as const,
  oauthPathPrefix: '/oauth/',
  sessionCookie: '__Host-tollgate_session',
  serverUrl: 'https://auth.example',
};

describe('finishOpenApiDocument', () => {
  const document = finishOpenApiDocument(nestDocument(), {
    ...conventions,
    bearerCredentials: [...conventions.bearerCredentials],
  });
  const operation = (path: string, method: string) => (document.paths[path] as Record<string, any>)[method];

  it('publishes OpenAPI 3.1 with the server it is given', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers).toEqual([{ url: 'https://auth.example' }]);
  });

  it('turns 3.0 nullable into 3.1 type unions, around references too', () => {
    const properties = (document.components!.schemas!.Key as any).properties;
    expect(properties.expiresAt).toEqual({ type: ['string', 'null'], format: 'date-time' });
    expect(properties.state).toEqual({ type: ['string', 'null'], enum: ['active', 'revoked', null] });
    expect(properties.owner).toEqual({
      description: 'who',
      anyOf: [{ $ref: '#/components/schemas/Owner' }, { type: 'null' }],
    });
  });

  it('expands the bearer marker into each credential, with the required scopes, CSRF with the cookie on unsafe methods', () => {
    expect(operation('/api/keys/{id}/roll', 'post').security).toEqual([
      { accessToken: ['admin'] },
      { personalAccessToken: ['admin'] },
      { consoleSession: ['admin'], csrfToken: [] },
    ]);
    expect(operation('/api/keys/{id}/roll', 'post')['x-required-scopes']).toBeUndefined();
  });

  it('lists only the credentials an x-allowed-credentials rule lets in', () => {
    expect(operation('/api/keys/{id}', 'get').security).toEqual([{ accessToken: [] }, { consoleSession: [] }]);
  });

  it('session-only routes take the cookie, with the CSRF header on unsafe methods', () => {
    expect(operation('/api/me/tokens', 'get').security).toEqual([{ consoleSession: [] }]);
    expect(operation('/api/me/tokens', 'post').security).toEqual([{ consoleSession: [], csrfToken: [] }]);
  });

  it('client authentication is Basic or nothing in the header (form body or assertion); public routes say security: []', () => {
    expect(operation('/oauth/token', 'post').security).toEqual([{ clientSecretBasic: [] }, {}]);
    expect(operation('/health', 'get').security).toEqual([]);
  });

  it('defines exactly the schemes used, the session cookie under its configured name', () => {
    expect(Object.keys(document.components!.securitySchemes!)).toEqual([
      'accessToken',
      'clientSecretBasic',
      'consoleSession',
      'csrfToken',
      'personalAccessToken',
    ]);
    expect(document.components!.securitySchemes!.consoleSession).toMatchObject({
      type: 'apiKey',
      in: 'cookie',
      name: '__Host-tollgate_session',
    });
  });

  it('gives error answers their body: RFC 6749 JSON at the OAuth endpoints, problem+json elsewhere', () => {
    expect(operation('/oauth/token', 'post').responses['400'].content).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/OAuthError' } },
    });
    expect(operation('/api/keys/{id}/roll', 'post').responses['403'].content).toEqual({
      'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
    });
    expect(operation('/api/keys/{id}/roll', 'post').responses['201'].content).toBeUndefined();
    expect(document.components!.schemas!.Problem).toMatchObject({ required: ['type', 'title', 'status'] });
  });

  it('finds operations still named the way Nest makes up', () => {
    expect(unnamedOperations(document)).toEqual(['GET /api/keys/{id} (ApiKeysController_get)']);
  });

  it('serves relative to the document when no server URL is given', () => {
    const relative = finishOpenApiDocument(nestDocument(), { bearerCredentials: ['accessToken'] });
    expect(relative.servers).toEqual([{ url: '/', description: 'Where this document is served from' }]);
  });
});
