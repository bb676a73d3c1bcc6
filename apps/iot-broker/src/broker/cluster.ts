import type { AedesOptions } from 'aedes';
import aedesPersistenceRedis from 'aedes-persistence-redis';
import { Redis } from 'ioredis';
import mqemitterRedis from 'mqemitter-redis';

/**
 * Scaled mode: every broker on the same Redis shares subscriptions, retained messages and offline
 * QoS 1 sessions (aedes-persistence-redis) and forwards publishes to the others (mqemitter-redis),
 * so a thermostat on one broker and the hub on another still talk.
 */
export function clusterOptions(redisUrl: string): Pick<AedesOptions, 'mq' | 'persistence'> {
  return {
    mq: mqemitterRedis({ subConn: new Redis(redisUrl), pubConn: new Redis(redisUrl) }),
    persistence: aedesPersistenceRedis({ conn: new Redis(redisUrl) }),
  };
}
