import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type DpopReplayCache, MemoryDpopReplayCache, RedisDpopReplayCache } from '@tollgate/dpop';
import { CLOCK, type Clock } from '@tollgate/platform';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../../config/auth-server.config.js';

/**
 * The DPoP proofs the token endpoint has accepted (RFC 9449 §11.1): in memory, or in Redis when
 * several auth-servers run side by side (REDIS_URL), so that a proof accepted by one is refused by all.
 */
@Injectable()
export class DpopReplays implements DpopReplayCache, OnModuleDestroy {
  private readonly logger = new Logger('DpopReplays');
  private readonly cache: MemoryDpopReplayCache | RedisDpopReplayCache;

  constructor(@Inject(AUTH_SERVER_CONFIG) config: AuthServerConfig, @Inject(CLOCK) clock: Clock) {
    this.cache = config.redisUrl
      ? new RedisDpopReplayCache(config.redisUrl, {
          logger: { warn: (message) => this.logger.warn(message), info: (message) => this.logger.log(message) },
          prefix: 'tollgate:dpop-proof:',
        })
      : new MemoryDpopReplayCache({ now: () => clock.now().getTime() });
  }

  firstUse(thumbprint: string, jti: string, untilMs: number): Promise<boolean> {
    return this.cache.firstUse(thumbprint, jti, untilMs);
  }

  async onModuleDestroy(): Promise<void> {
    if (this.cache instanceof RedisDpopReplayCache) await this.cache.close();
  }
}
