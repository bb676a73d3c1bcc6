// The query API keys and PATs share for the console's overview (their repositories call it).
import { type FindOptionsWhere, IsNull, LessThanOrEqual, Not, type ObjectLiteral, type Repository } from 'typeorm';
import type { StateCounts } from './directory.js';

/** Counts rows with `revokedAt` and `expiresAt` columns by state at `now` (three indexed counts). */
export async function countByState<T extends ObjectLiteral & { revokedAt: Date | null; expiresAt: Date | null }>(
  rows: Repository<T>,
  now: Date,
): Promise<StateCounts> {
  const [total, revoked, expired] = await Promise.all([
    rows.count(),
    rows.count({ where: { revokedAt: Not(IsNull()) } as FindOptionsWhere<T> }),
    rows.count({ where: { revokedAt: IsNull(), expiresAt: LessThanOrEqual(now) } as FindOptionsWhere<T> }),
  ]);
  return { active: total - revoked - expired, expired, revoked };
}
