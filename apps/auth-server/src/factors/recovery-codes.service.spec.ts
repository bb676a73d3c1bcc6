import { hashCredential } from '@tollgate/credentials';
import { ManualClock } from '@tollgate/platform';
import type { RecoveryCodeEntity, RecoveryCodesRepository } from './recovery-codes.repository.js';
import { normaliseRecoveryCode, RecoveryCodesService } from './recovery-codes.service.js';

/** The repository's contract, in memory. */
function memoryRepository(): RecoveryCodesRepository & { rows: RecoveryCodeEntity[] } {
  const rows: RecoveryCodeEntity[] = [];
  return {
    rows,
    listOf: async (userId: string) => rows.filter((row) => row.userId === userId),
    replace: async (userId: string, codes: RecoveryCodeEntity[]) => {
      const removed = rows.filter((row) => row.userId === userId).length;
      rows.splice(0, rows.length, ...rows.filter((row) => row.userId !== userId), ...codes);
      return removed;
    },
    use: async (userId: string, codeHash: string, at: Date) => {
      const row = rows.find((r) => r.userId === userId && r.codeHash === codeHash && !r.usedAt);
      if (row) row.usedAt = at;
      return Boolean(row);
    },
    countUnused: async (userId: string) => rows.filter((row) => row.userId === userId && !row.usedAt).length,
    deleteOf: async (userId: string) => {
      rows.splice(0, rows.length, ...rows.filter((row) => row.userId !== userId));
    },
  } as unknown as RecoveryCodesRepository & { rows: RecoveryCodeEntity[] };
}

describe(RecoveryCodesService.name, () => {
  const clock = new ManualClock(new Date('2026-05-04T08:00:00Z'));

  it('makes ten distinct codes of 80 bits, keeps only their hashes, and accepts each once', async () => {
    const repository = memoryRepository();
    const sut = new RecoveryCodesService(repository, clock);
    const { codes } = await sut.generate('user-1');
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^([0-9a-hjkmnp-tv-z]{4}-){3}[0-9a-hjkmnp-tv-z]{4}$/);
    expect(repository.rows.map((row) => row.codeHash)).toEqual(codes.map((c) => hashCredential(c.replaceAll('-', ''))));
    expect(JSON.stringify(repository.rows)).not.toContain(codes[0]);

    expect(await sut.redeem('user-1', codes[0])).toBe(true);
    expect(await sut.redeem('user-1', codes[0])).toBe(false);
    expect(await sut.redeem('user-2', codes[1])).toBe(false);
    expect(await sut.status('user-1')).toEqual({ remaining: 9, total: 10, generatedAt: clock.now() });
  });

  it('replaces every old code when new ones are made', async () => {
    const sut = new RecoveryCodesService(memoryRepository(), clock);
    const first = await sut.generate('user-1');
    const second = await sut.generate('user-1');
    expect(second.replaced).toBe(10);
    expect(await sut.redeem('user-1', first.codes[0])).toBe(false);
    expect(await sut.redeem('user-1', second.codes[0])).toBe(true);
  });

  it('reads a code however it is typed: case, spaces, dashes, and letters misread as digits', () => {
    expect(normaliseRecoveryCode(' 7K2M-9XQ4 h3fd-w8rt ')).toBe('7k2m9xq4h3fdw8rt');
    expect(normaliseRecoveryCode('ILO0-aaaa-aaaa-aaaa')).toBe('1100aaaaaaaaaaaa');
  });
});
