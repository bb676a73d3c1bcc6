import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

/**
 * The revocation-feed streams this instance serves. They end as soon as the HTTP server starts
 * closing (Fastify's preClose, before it waits for in-flight requests): a stream otherwise lasts as
 * long as its subscriber's token, up to 15 minutes, and kept a stopping instance alive that long.
 * Subscribers reconnect (to another instance behind the load balancer) and resume after their
 * Last-Event-ID, so nothing is missed.
 */
@Injectable()
export class RevocationFeedStreams implements OnModuleInit {
  private readonly open = new Set<() => Promise<void>>();
  private closing = false;

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    this.adapterHost.httpAdapter.getInstance<FastifyInstance>().addHook('preClose', () => this.endAll());
  }

  /** Streams open on this instance now (each a resource server or broker following the feed). */
  get openCount(): number {
    return this.open.size;
  }

  /** False once the server is closing: a stream must not start then. */
  get accepting(): boolean {
    return !this.closing;
  }

  /** Keeps `end` (which ends one stream) until the returned function is called. */
  track(end: () => Promise<void>): () => void {
    this.open.add(end);
    return () => this.open.delete(end);
  }

  private async endAll(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.open].map((end) => end()));
  }
}
