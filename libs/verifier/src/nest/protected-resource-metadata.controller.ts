import { Controller, Get, Header, type Type } from '@nestjs/common';
import type { ProtectedResource, ProtectedResourceMetadata } from '../http/protected-resource-metadata.js';
import { Public } from './decorators.js';

/** Serves a resource's RFC 9728 metadata at its well-known path, to anyone. */
export function protectedResourceMetadataController(resource: ProtectedResource): Type {
  @Public()
  @Controller()
  class ProtectedResourceMetadataController {
    @Get(resource.metadataPath)
    @Header('Cache-Control', 'public, max-age=300')
    metadata(): Readonly<ProtectedResourceMetadata> {
      return resource.metadata;
    }
  }
  return ProtectedResourceMetadataController;
}
