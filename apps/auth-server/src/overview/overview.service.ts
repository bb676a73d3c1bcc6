import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@tollgate/platform';
import { ApiKeysDirectory } from '../api-keys/api-keys.directory.js';
import { AuditService } from '../audit/audit.service.js';
import { ClientsDirectory } from '../clients/clients.directory.js';
import type { ExpiringCredential } from '../common/directory.js';
import { BrokerStatusService } from '../console/broker-status.service.js';
import type { BrokerStatusDto } from '../console/dto/broker-status.response.js';
import { PatsDirectory } from '../pats/pats.directory.js';
import { RevocationFeedStreams } from '../revocations/revocation-feed.streams.js';
import { UsersDirectory } from '../users/users.directory.js';
import type { ExpiringCredentialDto, OverviewDto } from './dto/overview.response.js';
import type { SearchResultsDto } from './dto/search-results.response.js';

const DAY_MS = 86_400_000;
/** "Expiring soon": within a week, as GitHub's and Stripe's expiry notices count it. */
const SOON_MS = 7 * DAY_MS;
const EXPIRING_PER_KIND = 10;
const NEWEST_REFUSALS = 10;

/** The console's overview (everything at a glance) and its search box, across every feature. */
@Injectable()
export class OverviewService {
  constructor(
    private readonly clients: ClientsDirectory,
    private readonly apiKeys: ApiKeysDirectory,
    private readonly pats: PatsDirectory,
    private readonly users: UsersDirectory,
    private readonly audit: AuditService,
    private readonly broker: BrokerStatusService,
    private readonly feedStreams: RevocationFeedStreams,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async overview(): Promise<OverviewDto> {
    const now = this.clock.now();
    const soon = new Date(now.getTime() + SOON_MS);
    const [clients, apiKeys, personalAccessTokens, users, expiringKeys, expiringPats, refusals, broker] =
      await Promise.all([
        this.clients.counts(),
        this.apiKeys.counts(now),
        this.pats.counts(now),
        this.users.counts(),
        this.apiKeys.expiring(now, soon, EXPIRING_PER_KIND),
        this.pats.expiring(now, soon, EXPIRING_PER_KIND),
        this.audit.refusalsSince(new Date(now.getTime() - DAY_MS), NEWEST_REFUSALS),
        this.brokerStatus(),
      ]);
    return {
      generatedAt: now.toISOString(),
      counts: { clients, apiKeys, personalAccessTokens, users },
      expiringSoon: [...expiringKeys, ...expiringPats]
        .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime())
        .map(expiringDto),
      refusals: { last24Hours: refusals.count, newest: refusals.newest },
      revocationFeed: { subscribersHere: this.feedStreams.openCount },
      broker,
    };
  }

  /** Clients, consumers, keys, users and PATs whose name (or id, email, visible prefix) contains `term`. */
  async search(term: string): Promise<SearchResultsDto> {
    const found = await Promise.all([
      this.clients.search(term),
      this.apiKeys.search(term),
      this.users.search(term),
      this.pats.search(term),
    ]);
    return { hits: found.flat() };
  }

  /** The overview still answers when the broker does not. */
  private async brokerStatus(): Promise<BrokerStatusDto> {
    try {
      return await this.broker.status();
    } catch {
      return { configured: true, status: 'unreachable', checkedAt: this.clock.now().toISOString() };
    }
  }
}

function expiringDto(credential: ExpiringCredential): ExpiringCredentialDto {
  return { ...credential, expiresAt: credential.expiresAt.toISOString() };
}
