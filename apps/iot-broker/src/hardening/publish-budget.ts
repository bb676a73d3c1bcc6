import type { Client } from 'aedes';
import type { Logger } from '@tollgate/platform';
import type { ClientKind } from '../sessions/device-session.js';
import { TokenBucket } from './token-bucket.js';

/** What one connection may publish per second; a full second's worth may come at once. */
export interface PublishRate {
  messagesPerSecond: number;
  bytesPerSecond: number;
}

export interface PublishBudgetStats {
  /** PUBLISH packets held back until their connection's budget allowed them. */
  delayedPublishes: number;
  /** Times a connection started going over its budget (each logged once). */
  episodes: number;
}

interface Waiting {
  bytes: number;
  proceed: () => void;
}

/**
 * One connection's budget: a message bucket and a byte bucket, and the publishes waiting for them,
 * released in the order they arrived.
 */
class ConnectionBudget {
  private readonly messages: TokenBucket;
  private readonly bytes: TokenBucket;
  private readonly waiting: Waiting[] = [];
  private timer?: NodeJS.Timeout;
  /** Set while the connection is over its budget, until its buckets have refilled completely. */
  overBudget = false;

  constructor(
    rate: PublishRate,
    private readonly isClosed: () => boolean,
  ) {
    this.messages = new TokenBucket({ capacity: rate.messagesPerSecond, refillPerSecond: rate.messagesPerSecond });
    this.bytes = new TokenBucket({ capacity: rate.bytesPerSecond, refillPerSecond: rate.bytesPerSecond });
  }

  /** Runs `proceed` now (true) or, in order, once the budget allows (false). */
  admit(bytes: number, proceed: () => void): boolean {
    if (this.waiting.length === 0) {
      // One clock read per publish: on some hosts reading the clock costs as much as the rest of this.
      const now = Date.now();
      if (this.overBudget && this.messages.isFull(now) && this.bytes.isFull(now)) this.overBudget = false;
      if (this.tryTake(bytes, now)) {
        proceed();
        return true;
      }
    }
    this.waiting.push({ bytes, proceed });
    if (!this.timer) this.schedule(Date.now());
    return false;
  }

  private tryTake(bytes: number, now: number): boolean {
    if (this.messages.msUntil(1, now) > 0 || this.bytes.msUntil(bytes, now) > 0) return false;
    this.messages.tryTake(1, now);
    this.bytes.tryTake(bytes, now);
    return true;
  }

  private schedule(now: number): void {
    const wait = Math.max(1, this.messages.msUntil(1, now), this.bytes.msUntil(this.waiting[0].bytes, now));
    this.timer = setTimeout(() => this.release(), wait);
  }

  private release(): void {
    this.timer = undefined;
    // A closed connection's held publishes are dropped: its session may have been revoked.
    if (this.isClosed()) {
      this.waiting.length = 0;
      return;
    }
    const now = Date.now();
    while (this.waiting.length > 0 && this.tryTake(this.waiting[0].bytes, now)) this.waiting.shift()!.proceed();
    if (this.waiting.length > 0) this.schedule(now);
  }
}

/**
 * A publish budget per connection (messages and bytes per second, by client kind), like EMQX's
 * per-client `messages_rate` and `bytes_rate`: one device cannot flood its subscribers. A
 * connection over its budget is slowed, not disconnected: its PUBLISH waits in the authorisation
 * step, aedes reads nothing more from the connection until the publishes it has read are done, and
 * TCP flow control then holds the client back (EMQX likewise pauses reading the socket). Nothing
 * is lost, and what the connection has read ahead is bounded by one read of its socket.
 */
export class PublishBudgets {
  private readonly budgets = new WeakMap<Client, ConnectionBudget>();
  private readonly counters: PublishBudgetStats = { delayedPublishes: 0, episodes: 0 };

  constructor(
    private readonly rates: Record<ClientKind, PublishRate>,
    private readonly logger: Logger,
  ) {}

  /**
   * Lets an authorised PUBLISH whose payload has `bytes` bytes go on now, or once the client's
   * budget allows, in arrival order. A will (published as its client closes) is not held.
   */
  admit(client: Client, who: { clientId: string; kind: ClientKind }, bytes: number, proceed: () => void): void {
    if (client.closed) return proceed();
    let budget = this.budgets.get(client);
    if (!budget) {
      budget = new ConnectionBudget(this.rates[who.kind], () => client.closed);
      this.budgets.set(client, budget);
    }
    if (budget.admit(bytes, proceed)) return;
    this.counters.delayedPublishes++;
    if (budget.overBudget) return;
    budget.overBudget = true;
    this.counters.episodes++;
    this.logger.warn(
      { clientId: who.clientId, kind: who.kind, ...this.rates[who.kind] },
      'publish budget exceeded: the connection is slowed down (logged once until it keeps to its budget)',
    );
  }

  stats(): PublishBudgetStats {
    return { ...this.counters };
  }
}
