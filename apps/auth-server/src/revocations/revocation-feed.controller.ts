import { Controller, Get, Query, Req, Res, ServiceUnavailableException } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { MANAGEMENT_SCOPES } from '@tollgate/credentials';
import { BEARER_SCHEME } from '@tollgate/platform/http';
import type { Principal, SequencedRevocationEvent } from '@tollgate/verifier';
import { CurrentPrincipal, RequireScopes } from '@tollgate/verifier/nest';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiManagementErrors } from '../common/api-management-errors.decorator.js';
import { FeedCursor } from './feed-cursor.js';
import { RevocationFeedService } from './revocation-feed.service.js';
import { RevocationFeedStreams } from './revocation-feed.streams.js';

const HEARTBEAT_MS = 15_000;
const POLL_MS = 1_000;
const MAX_STREAM_MS = 2_147_000_000;

function position(request: FastifyRequest, after: string | undefined): number | undefined {
  const header = request.headers['last-event-id'];
  const value = typeof header === 'string' ? header : after;
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}

@ApiTags('revocations')
@ApiBearerAuth(BEARER_SCHEME)
@ApiManagementErrors()
@RequireScopes(MANAGEMENT_SCOPES.revocationsRead)
@Controller('api/revocations')
export class RevocationFeedController {
  constructor(
    private readonly feed: RevocationFeedService,
    private readonly streams: RevocationFeedStreams,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listRevocations',
    summary: 'Revocation events after a position (or of the last 25 hours), oldest first, up to 1000',
  })
  @ApiQuery({ name: 'after', required: false })
  @ApiOkResponse({
    description: 'Events in feed order',
    schema: {
      type: 'object',
      required: ['items'],
      properties: { items: { type: 'array', items: { $ref: '#/components/schemas/RevocationEvent' } } },
    },
  })
  async list(
    @Req() request: FastifyRequest,
    @Query('after') after?: string,
  ): Promise<{ items: SequencedRevocationEvent[] }> {
    return { items: await this.feed.after(position(request, after) ?? (await this.feed.replayStart())) };
  }

  /**
   * Server-sent events: first what the verifier missed (after Last-Event-ID), then every
   * revocation as it happens, from any auth-server instance. Each event's SSE id is the position
   * to resume from. The stream ends when the caller's token expires, so it re-authenticates, and
   * when this instance shuts down, so it reconnects to another.
   */
  @Get('stream')
  @ApiOperation({
    operationId: 'streamRevocations',
    summary: 'Live revocation feed (text/event-stream); resumes after Last-Event-ID',
  })
  @ApiOkResponse({
    description:
      "Server-sent events (text/event-stream): each event's `id` is its position and its `data` one RevocationEvent as JSON; comments keep the connection alive. The stream ends when the token expires or the instance shuts down: reconnect with Last-Event-ID.",
    content: {
      'text/event-stream': {
        schema: {
          type: 'string',
          examples: [
            'id: 1042\ndata: {"seq":"1042","at":1796349100000,"type":"token.revoked","jti":"…","exp":1796350000}\n\n',
          ],
        },
      },
    },
  })
  @ApiQuery({ name: 'after', required: false, description: 'Alternative to the Last-Event-ID header' })
  @ApiServiceUnavailableResponse({ description: 'This instance is shutting down: reconnect (problem+json)' })
  async stream(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @CurrentPrincipal() principal: Principal,
    @Query('after') after?: string,
  ): Promise<void> {
    const cursor = new FeedCursor(position(request, after) ?? (await this.feed.replayStart()));
    if (!this.streams.accepting) throw new ServiceUnavailableException('This auth-server is shutting down; reconnect');
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write(': connected\n\n');

    let pumping: Promise<void> | undefined;
    let again = false;
    let closed = false;
    const pump = (): void => {
      if (pumping) {
        again = true;
        return;
      }
      pumping = (async () => {
        do {
          again = false;
          for (const event of await this.feed.after(cursor.watermark)) {
            if (closed || !cursor.accept(Number(event.seq))) continue;
            cursor.advance();
            raw.write(`id: ${cursor.watermark}\nevent: revocation\ndata: ${JSON.stringify(event)}\n\n`);
          }
          cursor.advance();
        } while (again && !closed);
      })()
        .catch(() => {
          raw.destroy();
        })
        .finally(() => (pumping = undefined));
    };

    const stopWaking = this.feed.onWake(pump);
    const poll = setInterval(pump, POLL_MS);
    const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const stop = (): void => {
      closed = true;
      untrack();
      stopWaking();
      clearInterval(poll);
      clearInterval(heartbeat);
      clearTimeout(expiry);
    };
    // Delivers what is already stored, then ends the stream (the subscriber resumes after it).
    const end = async (): Promise<void> => {
      if (closed) return;
      pump();
      await pumping;
      stop();
      raw.end();
    };
    const untrack = this.streams.track(end);
    const lifetime = principal.expiresAt
      ? Math.min(MAX_STREAM_MS, Math.max(0, principal.expiresAt.getTime() - Date.now()))
      : MAX_STREAM_MS;
    const expiry = setTimeout(() => void end(), lifetime);
    raw.on('close', stop);
    pump();
  }
}
