import { Injectable, Logger } from '@nestjs/common';
import { hasCredentialPrefix, parseCredential } from '@tollgate/credentials';
import { AuditService } from '../audit/audit.service.js';
import { ClientsService } from '../clients/clients.service.js';
import { OpaqueCredentialVerifiers } from '../oauth/opaque-credential-verifiers.js';
import { TokenRevocationService } from '../oauth/token-revocation.service.js';

export interface LeakReport {
  token: string;
  url?: string;
  source?: string;
}

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Leak response, the secret-scanning partner pattern: anyone may report a string; a valid Tollgate
 * credential of any kind is revoked at once and the revocation audited. Reports are processed after
 * the answer is sent, so neither the answer nor its timing tells the reporter whether it was valid.
 */
@Injectable()
export class LeaksService {
  private readonly logger = new Logger(LeaksService.name);

  constructor(
    private readonly opaque: OpaqueCredentialVerifiers,
    private readonly clients: ClientsService,
    private readonly accessTokens: TokenRevocationService,
    private readonly audit: AuditService,
  ) {}

  accept(reports: LeakReport[], address: string): void {
    setImmediate(
      () =>
        void this.process(reports, address).catch((error) =>
          this.logger.error(`Processing a leak report failed: ${error}`),
        ),
    );
  }

  /** Revokes whatever is valid among the reports; returns how many credentials were revoked. */
  async process(reports: LeakReport[], address: string): Promise<number> {
    let revoked = 0;
    for (const report of reports) {
      const credentialId = await this.revoke(report.token.trim(), address);
      if (!credentialId) continue;
      revoked += 1;
      await this.audit.record({
        action: 'credential.leaked',
        outcome: 'success',
        actor: { type: 'anonymous' },
        credential: credentialId,
        address,
        reason: 'reported as leaked',
        details: { url: report.url ?? null, source: report.source ?? null },
      });
    }
    return revoked;
  }

  private async revoke(token: string, address: string): Promise<{ type: string; id: string } | null> {
    if (hasCredentialPrefix(token)) {
      const parsed = parseCredential(token);
      if (!parsed) return null;
      if (parsed.kind === 'client_secret') {
        const id = await this.clients.revokeSecretByValue(token);
        return id ? { type: 'client_secret', id } : null;
      }
      const id = await this.opaque.verifierFor(parsed)?.revokeByValue(token, 'leaked', address);
      return id ? { type: parsed.kind, id } : null;
    }
    if (token.length <= 8192 && JWS_COMPACT.test(token)) {
      const jti = await this.accessTokens.revokeLeaked(token, address);
      return jti ? { type: 'access_token', id: jti } : null;
    }
    return null;
  }
}
