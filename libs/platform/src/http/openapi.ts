import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

export interface OpenApiOptions {
  title: string;
  description: string;
  version?: string;
  /** Also document the `X-API-Key` header scheme. */
  apiKeyHeader?: boolean;
  /** Also document a session cookie scheme (browser sessions), under this cookie name. */
  sessionCookie?: string;
}

export const BEARER_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'api-key';
export const SESSION_SCHEME = 'session';

/** Builds the OpenAPI document and serves it at `/docs` (UI) and `/docs/json`. */
export function setupOpenApi(app: INestApplication, options: OpenApiOptions): OpenAPIObject {
  let builder = new DocumentBuilder()
    .setTitle(options.title)
    .setDescription(options.description)
    .setVersion(options.version ?? '0.1.0')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        description: 'JWT access token, personal access token (tgp_…) or API key (tgk_…)',
      },
      BEARER_SCHEME,
    );
  if (options.apiKeyHeader) {
    builder = builder.addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'API key (tgk_live_… / tgk_test_…)' },
      API_KEY_SCHEME,
    );
  }
  if (options.sessionCookie) {
    builder = builder.addCookieAuth(
      options.sessionCookie,
      {
        type: 'apiKey',
        in: 'cookie',
        description: 'Console session; unsafe methods also need the X-CSRF-Token header',
      },
      SESSION_SCHEME,
    );
  }
  const document = SwaggerModule.createDocument(app, builder.build());
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json' });
  return document;
}
