import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CLOCK, type Clock } from '@tollgate/platform';
import { DataSource, In } from 'typeorm';
import { RevocationFeedService } from '../revocations/revocation-feed.service.js';
import { UserEntity } from '../users/user.entity.js';

const USERS_PER_UPDATE = 500;

/**
 * Tells every verifier that users changed (roles given or taken, a role's grants edited, email,
 * re-enabled): `subject.changed` on the revocation feed drops cached PAT answers and refuses JWTs
 * exchanged for the users' PATs before the event. Then records when (`exchangedTokensValidAfter`),
 * so that the next exchange is dated in a whole second after the event: JWT `iat` has whole seconds,
 * the event milliseconds (TokenExchangeGrant).
 */
@Injectable()
export class UserChanges {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly feed: RevocationFeedService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async announce(userIds: readonly string[]): Promise<void> {
    for (const id of userIds) await this.feed.publish({ type: 'subject.changed', kind: 'user', id });
    const now = this.clock.now();
    for (let start = 0; start < userIds.length; start += USERS_PER_UPDATE) {
      await this.dataSource.getRepository(UserEntity).update({ id: In(userIds.slice(start, start + USERS_PER_UPDATE)) }, { exchangedTokensValidAfter: now });
    }
  }
}
