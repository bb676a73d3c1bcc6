import { ConflictException, Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CLOCK, type Clock, ProblemException } from '@tollgate/platform';
import { createLocalJWKSet, importJWK, type JWK, type JWTVerifyGetKey } from 'jose';
import { DataSource, In } from 'typeorm';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import { RevocationFeedService } from '../revocations/revocation-feed.service.js';
import { KeyEncryption } from './key-encryption.js';
import { generateSigningKey } from './signing-key-material.js';
import { SigningKeyEntity, type SigningAlg } from './signing-key.entity.js';

/** A key that stopped signing stays published this long: longer than any access token lives (24 h at most). */
export const PREVIOUS_KEY_GRACE_MS = 24 * 60 * 60 * 1000;
const RELOAD_INTERVAL_MS = 30_000;
/**
 * How long the JWKS may be cached (its Cache-Control max-age). A key must have been published this
 * long before it signs, or a verifier holding an older copy refuses the new tokens: jose refetches
 * on an unknown `kid` only once per cooldown, and an HTTP cache may serve the old set until max-age.
 */
export const JWKS_MAX_AGE_SECONDS = 300;

export interface ActiveSigningKey {
  kid: string;
  alg: SigningAlg;
  key: CryptoKey | Uint8Array;
}

/** Ensures a current and a next key exist (first boot, or after a SIGNING_ALG change). Runs under the migration lock. */
export async function ensureSigningKeys(dataSource: DataSource, encryption: KeyEncryption, alg: SigningAlg, now: Date): Promise<void> {
  const repository = dataSource.getRepository(SigningKeyEntity);
  if (!(await repository.existsBy({ state: 'current' }))) await repository.insert(await generateSigningKey(alg, 'current', encryption, now));
  if (!(await repository.existsBy({ state: 'next' }))) await repository.insert(await generateSigningKey(alg, 'next', encryption, now));
}

/**
 * Holds the key that signs tokens and the public keys that verify them. Rotation moves
 * next → current → previous, so the JWKS announces a key before it signs and keeps it after it
 * stops, until every token it signed has expired. Instances reload the key states periodically.
 */
@Injectable()
export class SigningKeysService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SigningKeysService.name);
  private active: ActiveSigningKey;
  private published: JWK[] = [];
  private localKeySet: JWTVerifyGetKey;
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly encryption: KeyEncryption,
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly feed: RevocationFeedService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => this.reload().catch((error) => this.logger.error(`Reloading signing keys failed: ${error}`)), RELOAD_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** The key new tokens are signed with. */
  signingKey(): ActiveSigningKey {
    return this.active;
  }

  /** The public JWK set (RFC 7517) served at jwks_uri: next, current and previous keys, public members only. */
  jwks(): { keys: JWK[] } {
    return { keys: this.published };
  }

  /** Verification keys for tokens verified inside this server (the management API, introspection). */
  readonly keySet: JWTVerifyGetKey = (header, token) => this.localKeySet(header, token);

  async list(): Promise<SigningKeyEntity[]> {
    return this.dataSource.getRepository(SigningKeyEntity).find({ order: { createdAt: 'DESC' } });
  }

  /**
   * next → current, current → previous, a new next. Refuses (409) if another rotation won the race,
   * and (409, Retry-After) if the next key was published less than JWKS_MAX_AGE_SECONDS ago, unless
   * `immediately` (a compromised key).
   */
  async rotate(options: { immediately?: boolean } = {}): Promise<{ current: string; previous: string; next: string }> {
    const now = this.clock.now();
    const fresh = await generateSigningKey(this.config.signingAlg, 'next', this.encryption, now);
    const result = await this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(SigningKeyEntity);
      const [current, next] = await Promise.all([repository.findOneBy({ state: 'current' }), repository.findOneBy({ state: 'next' })]);
      if (!current || !next) throw new ConflictException('Signing keys are being initialised; try again');
      const publishedSeconds = Math.floor((now.getTime() - next.createdAt.getTime()) / 1000);
      if (!options.immediately && publishedSeconds < JWKS_MAX_AGE_SECONDS) {
        const retryAfter = JWKS_MAX_AGE_SECONDS - publishedSeconds;
        throw new ProblemException(
          409,
          `The next key was published ${publishedSeconds} s ago, and verifiers may cache the key set for ${JWKS_MAX_AGE_SECONDS} s: rotating now could make them refuse new tokens. Rotate in ${retryAfter} s, or with "immediately": true if the current key is compromised.`,
          { code: 'next_key_not_yet_known', headers: { 'Retry-After': String(retryAfter) } },
        );
      }
      const demoted = await repository.update({ kid: current.kid, state: 'current' }, { state: 'previous', deactivatedAt: now });
      const promoted = await repository.update({ kid: next.kid, state: 'next' }, { state: 'current', activatedAt: now });
      if (demoted.affected !== 1 || promoted.affected !== 1) throw new ConflictException('Another rotation happened at the same time; reload and try again');
      await repository.insert(fresh);
      return { current: next.kid, previous: current.kid, next: fresh.kid };
    });
    await this.reload();
    return result;
  }

  /** Reads key states, retires previous keys past their grace period, and re-imports the signing key. */
  async reload(): Promise<void> {
    const repository = this.dataSource.getRepository(SigningKeyEntity);
    const now = this.clock.now();
    const rows = await repository.findBy({ state: In(['next', 'current', 'previous']) });
    const expired = rows.filter((row) => row.state === 'previous' && row.deactivatedAt && now.getTime() - row.deactivatedAt.getTime() > PREVIOUS_KEY_GRACE_MS);
    for (const row of expired) {
      const retired = await repository.update({ kid: row.kid, state: 'previous' }, { state: 'retired', retiredAt: now });
      if (retired.affected === 1) await this.feed.publish({ type: 'signing_key.retired', kid: row.kid });
    }

    const live = rows.filter((row) => !expired.includes(row));
    const current = live.find((row) => row.state === 'current');
    if (!current) throw new Error('No current signing key: the database was not initialised');
    if (this.active?.kid !== current.kid) {
      let privateJwk: JWK;
      try {
        privateJwk = JSON.parse(this.encryption.open(current.encryptedPrivateKey, current.kid)) as JWK;
      } catch {
        throw new Error('KEY_ENCRYPTION_SECRET does not decrypt the stored signing keys (was it changed?)');
      }
      this.active = { kid: current.kid, alg: current.alg, key: (await importJWK(privateJwk, current.alg)) as CryptoKey };
    }
    this.published = live.map((row) => row.publicJwk);
    this.localKeySet = createLocalJWKSet({ keys: this.published });
  }
}
