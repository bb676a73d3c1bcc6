import { hash } from 'argon2';
import { PasswordHasher } from './password-hasher.js';

describe(PasswordHasher.name, () => {
  const sut = new PasswordHasher();

  it('hashes with argon2id and verifies', async () => {
    const stored = await sut.hash('correct horse battery staple');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(await sut.verify(stored, 'correct horse battery staple')).toEqual({ valid: true, needsRehash: false });
    expect(await sut.verify(stored, 'correct horse battery stapler')).toEqual({ valid: false, needsRehash: false });
  });

  it('treats canonically equivalent Unicode passwords as the same (NFKC)', async () => {
    const stored = await sut.hash('caf\u00e9 au lait please');
    expect((await sut.verify(stored, 'cafe\u0301 au lait please')).valid).toBe(true);
  });

  it('never accepts a missing hash, whatever the password', async () => {
    expect(await sut.verify(null, 'tollgate dummy password for constant-time checks')).toEqual({
      valid: false,
      needsRehash: false,
    });
  });

  it('asks for a rehash of hashes made with other parameters', async () => {
    const old = await hash('correct horse battery staple', { memoryCost: 8192, timeCost: 1, parallelism: 1 });
    expect(await sut.verify(old, 'correct horse battery staple')).toEqual({ valid: true, needsRehash: true });
  });

  it('answers false for a malformed stored hash instead of throwing', async () => {
    expect((await sut.verify('not a phc string', 'whatever')).valid).toBe(false);
  });
});
