import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, MoreThan, type Repository } from 'typeorm';
import { type WebAuthnCeremony, WebAuthnChallengeEntity } from './webauthn-challenge.entity.js';

export type { WebAuthnCeremony, WebAuthnChallengeEntity } from './webauthn-challenge.entity.js';

@Injectable()
export class WebAuthnChallengesRepository {
  constructor(
    @InjectRepository(WebAuthnChallengeEntity) private readonly challenges: Repository<WebAuthnChallengeEntity>,
  ) {}

  /** Stores a challenge, forgetting the others of the same ceremony for the same asker (one in flight each). */
  async replace(challenge: WebAuthnChallengeEntity): Promise<void> {
    await this.challenges.manager.transaction(async (manager) => {
      await manager.delete(WebAuthnChallengeEntity, { boundTo: challenge.boundTo, ceremony: challenge.ceremony });
      await manager.insert(WebAuthnChallengeEntity, challenge);
    });
  }

  /**
   * Takes the challenge out if it is there, unexpired, of this ceremony and bound to this asker: one
   * DELETE, so of two answers to the same challenge (two instances, a replay) exactly one gets it.
   */
  async take(
    id: string,
    ceremony: WebAuthnCeremony,
    boundTo: string,
    now: Date,
  ): Promise<WebAuthnChallengeEntity | null> {
    const found = await this.challenges.findOneBy({ id, ceremony, boundTo, expiresAt: MoreThan(now) });
    if (!found) return null;
    const deleted = await this.challenges.delete({ id, ceremony, boundTo });
    return (deleted.affected ?? 0) > 0 ? found : null;
  }

  async purge(now: Date): Promise<number> {
    return (await this.challenges.delete({ expiresAt: LessThan(now) })).affected ?? 0;
  }
}
