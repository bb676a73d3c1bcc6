import { type Command, Redis, type RedisOptions } from 'ioredis';

/** Where a Redis outage is reported: pino loggers fit as they are. */
export interface RedisOutageLogger {
  warn(message: string): void;
  info(message: string): void;
}

export interface RedisConnectionsOptions {
  /** What Redis is used for here, named in the log lines ("the revocation feed"). */
  purpose: string;
  /** What happens while Redis is unreachable, said once per outage ("limits are per instance"). */
  fallback: string;
  logger: RedisOutageLogger;
  /** Longest wait for one answer (default 1 s); a connection that misses it is dropped and probed again. */
  commandTimeoutMs?: number;
}

const CONNECT_TIMEOUT_MS = 2_000;
const DEFAULT_COMMAND_TIMEOUT_MS = 1_000;
const MAX_RECONNECT_DELAY_MS = 2_000;
const COMMAND_TIMED_OUT = 'Command timed out';

/** A Redis URL as it may be logged: the password replaced. */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured URL';
  }
}

/** Reconnection backoff: 100 ms doubling to 2 s, never giving up (each attempt probes whether Redis answers again). */
function reconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** attempt, MAX_RECONNECT_DELAY_MS);
}

/**
 * An ioredis connection that never lets an unanswered command hang its caller: every command fails
 * after the command timeout, and a command that timed out on a ready connection drops it, so that
 * until a new connection passes Redis's ready check (probed in the background with backoff) the
 * connection is not `ready` and commands fail at once. That is the circuit breaker every caller of
 * a silent Redis needs: one command timeout per outage, not one per request.
 */
export class RedisConnection extends Redis {
  /** Dropped after a timeout, until a new connection is ready (the old one closes asynchronously). */
  private dropped = false;

  constructor(
    url: string,
    options: RedisOptions,
    private readonly onCommandTimeout: () => void,
  ) {
    super(url, options);
    this.on('ready', () => (this.dropped = false));
  }

  /** Whether commands are sent to Redis now (false while it is unreachable or being probed). */
  get ready(): boolean {
    return this.status === 'ready' && !this.dropped;
  }

  /** True as soon as Redis is ready, false if it is not within `timeoutMs`: what a boot may wait for. */
  readyWithin(timeoutMs: number): Promise<boolean> {
    if (this.ready) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.off('ready', onReady);
        resolve(false);
      }, timeoutMs);
      this.once('ready', onReady);
    });
  }

  override sendCommand(command: Command, stream?: Parameters<Redis['sendCommand']>[1]): unknown {
    const sent = this.status === 'ready';
    const result = super.sendCommand(command, stream) as Promise<unknown>;
    result.catch((error: Error) => {
      // Redis accepted the connection but does not answer: drop it and let the reconnection probe.
      if (sent && error.message === COMMAND_TIMED_OUT && this.ready) {
        this.dropped = true;
        this.onCommandTimeout();
        this.disconnect(true);
      }
    });
    return result;
  }
}

/**
 * The Redis connections of one use of Redis (a publisher and a subscriber, say), created with the
 * rules every Tollgate app shares: connect timeout, command timeout with the breaker above, no
 * offline queue for commands (they fail at once while Redis is unreachable: callers fall back),
 * reconnection with backoff forever, and one warning per outage naming REDIS_URL (never its
 * password), then one line when Redis answers again.
 */
export class RedisConnections {
  private readonly connections: RedisConnection[] = [];
  private readonly unreachable = new Set<RedisConnection>();

  constructor(
    private readonly url: string,
    private readonly options: RedisConnectionsOptions,
  ) {}

  /** A connection for commands: each fails at once while Redis is unreachable, after the command timeout at worst. */
  commands(): RedisConnection {
    return this.open({ enableOfflineQueue: false, maxRetriesPerRequest: 0, autoResendUnfulfilledCommands: false });
  }

  /**
   * A connection that only subscribes. Its SUBSCRIBE commands (a handful, so the queue is bounded)
   * wait for the connection, and subscriptions are renewed after every reconnection. Call
   * `subscribe(...)` without awaiting it: it settles within the command timeout either way.
   *
   * No ready check and no CLIENT SETINFO: ioredis writes a SUBSCRIBE as soon as the socket is
   * connected, and Redis then refuses anything but (un)subscribe commands on that connection, so a
   * subscription made in that moment failed the ready check's INFO, again after each reconnection:
   * under load a broker's cluster subscriptions never became ready and SUBACKs never came.
   */
  subscriber(): RedisConnection {
    return this.open({
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      autoResubscribe: true,
      enableReadyCheck: false,
      disableClientInfo: true,
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.connections.map((connection) => connection.quit().catch(() => connection.disconnect())));
  }

  private open(options: RedisOptions): RedisConnection {
    const connection = new RedisConnection(
      this.url,
      {
        ...options,
        connectTimeout: CONNECT_TIMEOUT_MS,
        commandTimeout: this.options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
        retryStrategy: reconnectDelay,
      },
      () => this.down(connection, `no answer within ${this.options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS} ms`),
    );
    connection.on('error', (error: Error) => this.down(connection, error.message));
    connection.on('ready', () => this.up(connection));
    this.connections.push(connection);
    return connection;
  }

  private down(connection: RedisConnection, reason: string): void {
    const first = this.unreachable.size === 0;
    this.unreachable.add(connection);
    if (!first) return;
    this.options.logger.warn(
      `Redis at ${describeRedisUrl(this.url)} (REDIS_URL) is unreachable for ${this.options.purpose}: ${reason}. ${this.options.fallback} until it answers again.`,
    );
  }

  private up(connection: RedisConnection): void {
    if (!this.unreachable.delete(connection) || this.unreachable.size > 0) return;
    this.options.logger.info(
      `Redis at ${describeRedisUrl(this.url)} (REDIS_URL) answers again for ${this.options.purpose}.`,
    );
  }
}
