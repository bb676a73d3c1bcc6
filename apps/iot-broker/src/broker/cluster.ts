import type { AedesOptions } from 'aedes';
import { describeRedisUrl, type Logger, RedisConnections } from '@tollgate/platform';
import aedesPersistenceRedis from 'aedes-persistence-redis';
import mqemitterRedis from 'mqemitter-redis';
import type { EventEmitter } from 'node:events';

/** How long a broker in cluster mode waits for Redis at boot before it gives up with a clear message. */
const BOOT_WAIT_MS = 10_000;

/**
 * Scaled mode: every broker on the same Redis shares subscriptions, retained messages and offline
 * QoS 1 sessions (aedes-persistence-redis) and forwards publishes to the others (mqemitter-redis),
 * so a thermostat on one broker and the hub on another still talk.
 *
 * The persistence holds the sessions, so the broker cannot start without Redis: it waits a bounded
 * time, then stops with a message naming REDIS_URL. Afterwards the connections follow the shared
 * rules (command timeout, no offline queue, one warning per outage): while Redis is unreachable or
 * silent, operations that need it fail within a second (a device's CONNECT or SUBSCRIBE is refused
 * and the device retries) instead of hanging, and publishes reach only this broker's subscribers.
 */
export async function clusterOptions(
  redisUrl: string,
  logger: Logger,
): Promise<Pick<AedesOptions, 'mq' | 'persistence'>> {
  const redis = new RedisConnections(redisUrl, {
    purpose: 'the broker cluster (sessions, retained messages, publishes between brokers)',
    fallback: 'Devices cannot connect or subscribe, and publishes reach only the devices on this broker,',
    logger,
  });
  const persistence = redis.commands();
  if (!(await persistence.readyWithin(BOOT_WAIT_MS))) {
    await redis.close();
    throw new Error(
      `Redis at ${describeRedisUrl(redisUrl)} (REDIS_URL) did not answer within ${BOOT_WAIT_MS / 1000} s; the broker keeps its sessions there in cluster mode and cannot start without it.`,
    );
  }
  const mq = mqemitterRedis({ subConn: redis.subscriber(), pubConn: redis.commands() });
  // mqemitter-redis re-emits connection errors on its (untyped) `state` emitter, where an 'error'
  // without a listener would crash the process; the connections already report the outage once.
  (mq as unknown as { state: EventEmitter }).state.on('error', () => undefined);
  return { mq, persistence: aedesPersistenceRedis({ conn: persistence }) };
}
