import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type CredentialUse, type LastUsedSink, LastUsedSinkRegistry } from '../oauth/credential-usage.js';
import { PatsRepository } from './pats.repository.js';

/** "Last used" (time and address) of PATs, written in one transaction per batch by the usage service. */
@Injectable()
export class PatLastUsedSink implements LastUsedSink, OnModuleInit {
  readonly kind = 'pat' as const;

  constructor(
    private readonly pats: PatsRepository,
    private readonly registry: LastUsedSinkRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async recordLastUsed(uses: CredentialUse[]): Promise<void> {
    const latest = new Map<string, CredentialUse>();
    for (const use of uses) {
      if (use.credentialType !== 'pat') continue;
      const known = latest.get(use.credentialId);
      if (!known || use.at > known.at) latest.set(use.credentialId, use);
    }
    if (latest.size === 0) return;
    await this.pats.recordLastUsed(
      [...latest.values()].map((use) => ({
        id: use.credentialId,
        at: use.at,
        address: use.address?.slice(0, 64) ?? null,
      })),
    );
  }
}
