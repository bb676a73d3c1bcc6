import { ManualClock } from '@tollgate/platform';
import { Secret, TOTP } from 'otpauth';
import { KeyEncryption } from '../signing-keys/key-encryption.js';
import type { UserEntity } from '../users/users.repository.js';
import type { TotpAuthenticatorEntity, TotpAuthenticatorsRepository } from './totp-authenticators.repository.js';
import { TotpService } from './totp.service.js';

/** The repository's contract, in memory (the conditional UPDATE of acceptStep included). */
function memoryRepository(): TotpAuthenticatorsRepository & { rows: Map<string, TotpAuthenticatorEntity> } {
  const rows = new Map<string, TotpAuthenticatorEntity>();
  return {
    rows,
    findOf: async (userId: string) => rows.get(userId) ?? null,
    isConfirmed: async (userId: string) => Boolean(rows.get(userId)?.confirmedAt),
    savePending: async (authenticator: TotpAuthenticatorEntity) => {
      if (!rows.get(authenticator.userId)?.confirmedAt) rows.set(authenticator.userId, { ...authenticator });
    },
    acceptStep: async (userId: string, step: number, confirmAt?: Date) => {
      const row = rows.get(userId);
      if (!row || Boolean(confirmAt) === Boolean(row.confirmedAt)) return false;
      if (row.lastUsedStep !== null && row.lastUsedStep >= step) return false;
      row.lastUsedStep = step;
      if (confirmAt) row.confirmedAt = confirmAt;
      return true;
    },
    delete: async (userId: string) => rows.delete(userId),
  } as unknown as TotpAuthenticatorsRepository & { rows: Map<string, TotpAuthenticatorEntity> };
}

describe(TotpService.name, () => {
  const user = { id: 'user-1', email: 'dana@example.com' } as UserEntity;
  let clock: ManualClock;
  let repository: ReturnType<typeof memoryRepository>;
  let sut: TotpService;
  const codeAt = (secret: string, offsetMs = 0) =>
    new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: clock.now().getTime() + offsetMs });

  beforeEach(() => {
    clock = new ManualClock(new Date('2026-05-04T08:00:10Z'));
    repository = memoryRepository();
    sut = new TotpService(repository, new KeyEncryption('test-key-encryption-secret-0123456789abcdef'), clock);
  });

  it('seals the secret at rest and turns on with a first code', async () => {
    const setup = await sut.startSetup(user);
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(repository.rows.get(user.id)!.sealedSecret).not.toContain(setup.secret);
    expect(await sut.check(user.id, codeAt(setup.secret))).toBe('not_enabled');
    expect(await sut.confirm(user.id, codeAt(setup.secret))).toEqual(clock.now());
    expect(await sut.isEnabled(user.id)).toBe(true);
  });

  it('accepts one step of drift either way, not two', async () => {
    const setup = await sut.startSetup(user);
    await sut.confirm(user.id, codeAt(setup.secret, -30_000));
    expect(await sut.check(user.id, codeAt(setup.secret, 30_000))).toBe('accepted');
    clock.advance(90_000);
    expect(await sut.check(user.id, codeAt(setup.secret, -60_000))).toBe('wrong');
    expect(await sut.check(user.id, codeAt(setup.secret, 60_000))).toBe('wrong');
  });

  it('refuses a code of a step already used, or of an earlier step (replay)', async () => {
    const setup = await sut.startSetup(user);
    await sut.confirm(user.id, codeAt(setup.secret));
    expect(await sut.check(user.id, codeAt(setup.secret))).toBe('replayed');
    clock.advance(30_000);
    const code = codeAt(setup.secret);
    expect(await sut.check(user.id, code)).toBe('accepted');
    expect(await sut.check(user.id, code)).toBe('replayed');
    expect(await sut.check(user.id, codeAt(setup.secret, -30_000))).toBe('replayed');
  });

  it('refuses malformed codes without touching the secret', async () => {
    const setup = await sut.startSetup(user);
    await sut.confirm(user.id, codeAt(setup.secret));
    for (const code of ['', '12345', '1234567', 'abcdef']) expect(await sut.check(user.id, code)).toBe('wrong');
  });
});
