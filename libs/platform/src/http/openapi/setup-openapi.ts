import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { type DocumentConventions, finishOpenApiDocument } from './finish-document.js';

export interface OpenApiOptions extends DocumentConventions {
  title: string;
  description: string;
  version?: string;
}

/** The app's OpenAPI 3.1 document (see finishOpenApiDocument), built from its routes. */
export function buildOpenApiDocument(app: INestApplication, options: OpenApiOptions): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle(options.title)
    .setDescription(options.description)
    .setVersion(options.version ?? '0.1.0')
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .build();
  return finishOpenApiDocument(SwaggerModule.createDocument(app, config), options);
}

/** Builds the OpenAPI document and serves it at `/docs` (UI) and `/docs/json`. */
export function setupOpenApi(app: INestApplication, options: OpenApiOptions): OpenAPIObject {
  const document = buildOpenApiDocument(app, options);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json' });
  return document;
}
