import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CLOCK, type Clock } from '@tollgate/platform';
import { RevocationFeedService } from '../revocations/revocation-feed.service.js';
import { RolesService } from '../roles/roles.service.js';
import { UsersRepository } from './users.repository.js';

/**
 * Tells every verifier that users changed (roles given or taken, a role's grants edited, email,
 * re-enabled): `subject.changed` on the revocation feed drops cached PAT answers and refuses JWTs
 * exchanged for the users' PATs before the event. Then records when (`exchangedTokensValidAfter`),
 * so that the next exchange is dated in a whole second after the event: JWT `iat` has whole seconds,
 * the event milliseconds (TokenExchangeGrant). Also told when a role's grants change or a role is
 * deleted, for the role's holders.
 */
@Injectable()
export class UserChanges implements OnModuleInit {
  constructor(
    private readonly users: UsersRepository,
    private readonly roles: RolesService,
    private readonly feed: RevocationFeedService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.roles.whenHoldersChange((userIds) => this.announce(userIds));
  }

  async announce(userIds: readonly string[]): Promise<void> {
    for (const id of userIds) await this.feed.publish({ type: 'subject.changed', kind: 'user', id });
    await this.users.markExchangedTokensChanged(userIds, this.clock.now());
  }
}
