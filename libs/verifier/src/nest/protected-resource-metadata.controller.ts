import { Controller, Get, Header, type Type } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ProtectedResource, ProtectedResourceMetadata } from '../http/protected-resource-metadata.js';
import { Public } from './decorators.js';

/** RFC 9728 §2, as the OpenAPI document describes the answer. */
const METADATA_SCHEMA = {
  type: 'object',
  required: ['resource', 'authorization_servers', 'bearer_methods_supported'],
  properties: {
    resource: { type: 'string', format: 'uri', description: 'The resource identifier (RFC 8707 indicator)' },
    authorization_servers: { type: 'array', items: { type: 'string', format: 'uri' } },
    scopes_supported: { type: 'array', items: { type: 'string' } },
    bearer_methods_supported: { type: 'array', items: { type: 'string', enum: ['header'] } },
    resource_name: { type: 'string' },
    resource_documentation: { type: 'string', format: 'uri' },
  },
};

/** Serves a resource's RFC 9728 metadata at its well-known path, to anyone. */
export function protectedResourceMetadataController(resource: ProtectedResource): Type {
  @ApiTags('discovery')
  @Public()
  @Controller()
  class ProtectedResourceMetadataController {
    @Get(resource.metadataPath)
    @Header('Cache-Control', 'public, max-age=300')
    @ApiOperation({
      summary: 'Protected resource metadata (RFC 9728): where to get a token for this API, and which scopes',
      operationId: 'getProtectedResourceMetadata',
    })
    @ApiOkResponse({ description: 'Metadata document', schema: { ...METADATA_SCHEMA, example: resource.metadata } })
    metadata(): Readonly<ProtectedResourceMetadata> {
      return resource.metadata;
    }
  }
  return ProtectedResourceMetadataController;
}
