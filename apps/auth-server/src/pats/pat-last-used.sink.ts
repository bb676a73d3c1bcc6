import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, LessThan, Or } from 'typeorm';
import { type CredentialUse, type LastUsedSink, LastUsedSinkRegistry } from '../oauth/credential-usage.js';
import { PatEntity } from './pat.entity.js';

/** "Last used" (time and address) of PATs, written in one transaction per batch by the usage service. */
@Injectable()
export class PatLastUsedSink implements LastUsedSink, OnModuleInit {
  readonly kind = 'pat' as const;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
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
    await this.dataSource.transaction(async (manager) => {
      for (const use of latest.values()) {
        // Never moves backwards when batches from several instances arrive out of order.
        await manager.update(PatEntity, { id: use.credentialId, lastUsedAt: Or(IsNull(), LessThan(use.at)) }, { lastUsedAt: use.at, lastUsedAddress: use.address?.slice(0, 64) ?? null });
      }
    });
  }
}
