import { Controller, Get, Headers, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ProblemException } from '@tollgate/platform/http';
import { Public } from '@tollgate/verifier/nest';
import type { FastifyReply } from 'fastify';
import { type ConsoleAsset, ConsoleAssets } from './console-assets.js';
import { CONSOLE_SECURITY_HEADERS } from './console-headers.js';

/** A path whose last segment has an extension names a file; anything else is a page of the single-page app. */
const FILE_PATH = /\.[a-z0-9]+$/i;

/**
 * The web console: static files, public (the data they show comes from the management API, which
 * is protected). Pages are routed in the browser, so every page path answers the same HTML.
 */
@ApiExcludeController()
@Public()
@Controller('console')
export class ConsoleController {
  constructor(private readonly assets: ConsoleAssets) {}

  @Get()
  page(@Headers('if-none-match') ifNoneMatch: string | undefined, @Res() reply: FastifyReply): void {
    this.send(reply, this.assets.index, ifNoneMatch);
  }

  // find-my-way (Fastify's router) wildcard: the rest of the path, decoded, in the `*` parameter.
  @Get('*')
  file(
    @Param('*') relative: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() reply: FastifyReply,
  ): void {
    if (!FILE_PATH.test(relative)) return this.send(reply, this.assets.index, ifNoneMatch);
    const asset = this.assets.get(relative);
    if (!asset)
      throw new ProblemException(404, `The console has no file ${relative.slice(0, 200)}`, {
        code: 'not_found',
        headers: CONSOLE_SECURITY_HEADERS,
      });
    this.send(reply, asset, ifNoneMatch);
  }

  private send(reply: FastifyReply, asset: ConsoleAsset, ifNoneMatch: string | undefined): void {
    // The HTML is never stored (it is the shell of pages that show secrets once); scripts and styles
    // are revalidated on every load, so a new release is picked up at once.
    const cacheControl = asset === this.assets.index ? 'no-store' : 'no-cache';
    void reply.headers({
      ...CONSOLE_SECURITY_HEADERS,
      'Cache-Control': cacheControl,
      'Content-Type': asset.contentType,
    });
    if (cacheControl === 'no-store') {
      void reply.status(200).send(asset.body);
      return;
    }
    void reply.header('ETag', asset.etag);
    if (ifNoneMatch?.split(/\s*,\s*/).includes(asset.etag)) {
      void reply.status(304).send();
      return;
    }
    void reply.status(200).send(asset.body);
  }
}
