// aedes-persistence-redis 11 ships no type declarations; this is the part Tollgate uses.
declare module 'aedes-persistence-redis' {
  import type { Redis } from 'ioredis';
  import type { AedesOptions } from 'aedes';

  export interface AedesPersistenceRedisOptions {
    conn?: Redis;
    maxSessionDelivery?: number;
    packetTTL?: (packet: unknown) => number;
  }

  export default function aedesPersistenceRedis(
    options?: AedesPersistenceRedisOptions,
  ): NonNullable<AedesOptions['persistence']>;
}
