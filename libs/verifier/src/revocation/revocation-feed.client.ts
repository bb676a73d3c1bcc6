import type { TokenSource } from '@tollgate/m2m-client';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SequencedRevocationEvent } from './revocation-event.js';

export interface RevocationFeedClientOptions {
  /** The feed (the metadata's `revocation_feed_endpoint`), or where to learn it before each attempt. */
  url: string | (() => Promise<string>);
  /** Tokens for the management API with scope `revocations:read`. */
  tokens: TokenSource;
  onEvent: (event: SequencedRevocationEvent) => void;
  onConnectionChange?: (connected: boolean) => void;
  /** Why the feed could not be followed: once per outage (not again until it has connected). */
  onError?: (error: unknown) => void;
  fetch?: typeof fetch;
  /** The first delay before reconnecting; it doubles on each failure. Default 200 ms. */
  minReconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** Waits between attempts (tests pass a fake clock). */
  sleep?: (ms: number) => Promise<unknown>;
}

export interface RevocationFeedStatus {
  connected: boolean;
  lastEventId?: string;
  /** Since when the feed has been down (ms since epoch), when it is. */
  disconnectedSince?: number;
}

/**
 * Follows the auth-server's revocation feed (server-sent events): reconnects with backoff and
 * resumes after the last event it saw (Last-Event-ID), so a dropped connection loses nothing;
 * re-authenticates when the stream ends (the server closes it when the token expires) or answers 401.
 * The backoff grows only while connecting fails: once a stream was established, however it ended
 * (closed, or cut by a crashed or restarted auth-server), the next attempt comes after the minimum delay.
 */
export class RevocationFeedClient {
  private running = false;
  private abort?: AbortController;
  private lastEventId?: string;
  private connected = false;
  private disconnectedSince = Date.now();
  private loop?: Promise<void>;
  private errorReported = false;

  constructor(private readonly options: RevocationFeedClientOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort?.abort();
    await this.loop;
  }

  status(): RevocationFeedStatus {
    return {
      connected: this.connected,
      lastEventId: this.lastEventId,
      disconnectedSince: this.connected ? undefined : this.disconnectedSince,
    };
  }

  private async run(): Promise<void> {
    const minDelay = this.options.minReconnectDelayMs ?? 200;
    const wait = this.options.sleep ?? sleep;
    let delay = minDelay;
    while (this.running) {
      try {
        await this.follow();
      } catch (error) {
        // Unreachable, refused or cut: try again below.
        if (this.running && !this.connected && !this.errorReported) {
          this.errorReported = true;
          this.options.onError?.(error);
        }
      }
      if (this.connected) delay = minDelay;
      this.setConnected(false);
      if (!this.running) break;
      await wait(delay);
      delay = Math.min(delay * 2, this.options.maxReconnectDelayMs ?? 5_000);
    }
  }

  private async follow(): Promise<void> {
    // Before the token: a stop() while it is being fetched must abort the stream opened after it.
    this.abort = new AbortController();
    const url = typeof this.options.url === 'string' ? this.options.url : await this.options.url();
    const token = await this.options.tokens.getToken();
    const response = await (this.options.fetch ?? fetch)(url, {
      headers: {
        authorization: `Bearer ${token.value}`,
        accept: 'text/event-stream',
        ...(this.lastEventId ? { 'last-event-id': this.lastEventId } : {}),
      },
      signal: this.abort.signal,
    });
    if (response.status === 401) this.options.tokens.invalidate(token);
    if (!response.ok || !response.body) throw new Error(`revocation feed answered ${response.status}`);
    this.setConnected(true);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        this.handleBlock(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  }

  private handleBlock(block: string): void {
    let id: string | undefined;
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('id:')) id = line.slice(3).trim();
      else if (line.startsWith('data:')) data += line.slice(5).trim();
    }
    if (!data) return;
    const event = JSON.parse(data) as SequencedRevocationEvent;
    this.options.onEvent(event);
    this.lastEventId = id ?? event.seq;
  }

  private setConnected(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
    if (connected) this.errorReported = false;
    if (!connected) this.disconnectedSince = Date.now();
    this.options.onConnectionChange?.(connected);
  }
}
