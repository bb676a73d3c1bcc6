import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, LessThanOrEqual, type Repository } from 'typeorm';
import { SyncRunEntity } from './sync-run.entity.js';

// Older runs are pruned: at one run every 5 minutes this keeps about 3.5 days of history.
const RUNS_KEPT = 1_000;

@Injectable()
export class SyncRunRepository {
  constructor(@InjectRepository(SyncRunEntity) private readonly runs: Repository<SyncRunEntity>) {}

  /** Records a finished run (inside the caller's transaction when a manager is given) and prunes old ones. */
  async record(run: Omit<SyncRunEntity, 'id'>, manager?: EntityManager): Promise<SyncRunEntity> {
    const repository = manager?.getRepository(SyncRunEntity) ?? this.runs;
    const saved = await repository.save(repository.create(run));
    if (saved.id > RUNS_KEPT) await repository.delete({ id: LessThanOrEqual(saved.id - RUNS_KEPT) });
    return saved;
  }

  async latest(): Promise<SyncRunEntity | null> {
    const [run] = await this.runs.find({ order: { id: 'DESC' }, take: 1 });
    return run ?? null;
  }

  async latestSuccessful(): Promise<SyncRunEntity | null> {
    const [run] = await this.runs.find({ where: { status: 'ok' }, order: { id: 'DESC' }, take: 1 });
    return run ?? null;
  }
}
