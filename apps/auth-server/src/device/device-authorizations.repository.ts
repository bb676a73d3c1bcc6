import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, type Repository } from 'typeorm';
import { type DeviceAuthorizationEntity, DeviceAuthorizationEntity as Entity } from './device-authorization.entity.js';

@Injectable()
export class DeviceAuthorizationsRepository {
  constructor(@InjectRepository(Entity) private readonly requests: Repository<DeviceAuthorizationEntity>) {}

  async insert(request: DeviceAuthorizationEntity): Promise<void> {
    await this.requests.insert(request);
  }

  findByDeviceCodeHash(deviceCodeHash: string): Promise<DeviceAuthorizationEntity | null> {
    return this.requests.findOneBy({ deviceCodeHash });
  }

  findByUserCodeHash(userCodeHash: string): Promise<DeviceAuthorizationEntity | null> {
    return this.requests.findOneBy({ userCodeHash });
  }

  async recordPoll(id: string, at: Date, interval: number): Promise<void> {
    await this.requests.update({ id }, { lastPolledAt: at, interval });
  }

  /** pending → approved or denied, unless it was decided meanwhile; true when this call decided it. */
  async decide(
    id: string,
    decision: Pick<DeviceAuthorizationEntity, 'status' | 'userId' | 'grantedScopes' | 'controllerId' | 'decidedAt'>,
  ): Promise<boolean> {
    const result = await this.requests.update({ id, status: 'pending' }, decision);
    return (result.affected ?? 0) > 0;
  }

  /** approved → issued, for the one poll that gets there first; true for that one. */
  async claimForIssue(id: string): Promise<boolean> {
    const result = await this.requests.update({ id, status: 'approved' }, { status: 'issued' });
    return (result.affected ?? 0) > 0;
  }

  async recordIssued(id: string, patId: string): Promise<void> {
    await this.requests.update({ id }, { patId });
  }

  /** Requests expired before `before` (an hour of grace, so late polls still get expired_token, then invalid_grant). */
  async deleteExpired(before: Date): Promise<number> {
    const result = await this.requests.delete({ expiresAt: LessThan(before) });
    return result.affected ?? 0;
  }
}
