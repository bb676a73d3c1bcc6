import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isUniqueViolation } from '@tollgate/persistence';
import type { DataSource, Repository } from 'typeorm';
import { ConsumerMemberEntity } from './consumer-member.entity.js';
import { ConsumerPortalEntity } from './consumer-portal.entity.js';

export type { PortalLimits } from './consumer-portal.entity.js';

/** Consumers' portal limits and their members (both rows go with the consumer or the user). */
@Injectable()
export class PortalRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findPortal(consumerId: string): Promise<ConsumerPortalEntity | null> {
    return this.portals.findOneBy({ consumerId });
  }

  async savePortal(portal: ConsumerPortalEntity): Promise<void> {
    await this.portals.save(portal);
  }

  async deletePortal(consumerId: string): Promise<void> {
    await this.portals.delete({ consumerId });
  }

  membersOf(consumerId: string): Promise<ConsumerMemberEntity[]> {
    return this.members.find({ where: { consumerId }, order: { createdAt: 'ASC' } });
  }

  membershipsOf(userId: string): Promise<ConsumerMemberEntity[]> {
    return this.members.find({ where: { userId }, order: { createdAt: 'ASC' } });
  }

  isMember(consumerId: string, userId: string): Promise<boolean> {
    return this.members.existsBy({ consumerId, userId });
  }

  /** False when they already were a member. */
  async addMember(member: ConsumerMemberEntity): Promise<boolean> {
    if (await this.isMember(member.consumerId, member.userId)) return false;
    try {
      await this.members.insert(member);
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** False when they were not a member. */
  async removeMember(consumerId: string, userId: string): Promise<boolean> {
    const result = await this.members.delete({ consumerId, userId });
    return (result.affected ?? 0) > 0;
  }

  private get portals(): Repository<ConsumerPortalEntity> {
    return this.dataSource.getRepository(ConsumerPortalEntity);
  }

  private get members(): Repository<ConsumerMemberEntity> {
    return this.dataSource.getRepository(ConsumerMemberEntity);
  }
}
