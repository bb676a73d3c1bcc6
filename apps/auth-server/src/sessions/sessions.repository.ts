import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, type Repository } from 'typeorm';
import { SessionEntity } from './session.entity.js';

@Injectable()
export class SessionsRepository {
  constructor(@InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>) {}

  findById(id: string): Promise<SessionEntity | null> {
    return this.sessions.findOneBy({ id });
  }

  /** With its user (whether they are disabled, when their password changed). */
  findWithUser(id: string): Promise<SessionEntity | null> {
    return this.sessions.findOne({ where: { id }, relations: { user: true } });
  }

  /** Stores a new session, ending the one it replaces (if any) and the user's expired ones, in one transaction. */
  async start(session: SessionEntity, replacedId: string | undefined, now: Date): Promise<void> {
    await this.sessions.manager.transaction(async (manager) => {
      if (replacedId) await manager.delete(SessionEntity, { id: replacedId });
      await manager.delete(SessionEntity, { userId: session.userId, expiresAt: LessThan(now) });
      await manager.insert(SessionEntity, session);
    });
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.sessions.update({ id }, { lastSeenAt: at });
  }

  /** The person proved who they are again (re-authentication). */
  async markAuthenticated(id: string, at: Date): Promise<void> {
    await this.sessions.update({ id }, { authenticatedAt: at, lastSeenAt: at });
  }

  async delete(id: string): Promise<void> {
    await this.sessions.delete({ id });
  }

  /** Deletes sessions past their absolute expiry or idle since `idleCutoff`; how many. */
  async purge(now: Date, idleCutoff: Date): Promise<number> {
    const [expired, idle] = await Promise.all([
      this.sessions.delete({ expiresAt: LessThan(now) }),
      this.sessions.delete({ lastSeenAt: LessThan(idleCutoff) }),
    ]);
    return (expired.affected ?? 0) + (idle.affected ?? 0);
  }
}
