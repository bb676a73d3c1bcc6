import { BASE62_ALPHABET, randomBase62 } from './base62.js';
import {
  generateCredential,
  hasCredentialPrefix,
  MAX_CREDENTIAL_LENGTH,
  parseCredential,
} from './credential-format.js';

describe('credential format', () => {
  it.each([
    ['api_key', { environment: 'live' as const }, /^tgk_live_[0-9A-Za-z]{49}$/],
    ['api_key', { environment: 'test' as const }, /^tgk_test_[0-9A-Za-z]{49}$/],
    ['pat', {}, /^tgp_[0-9A-Za-z]{49}$/],
    ['client_secret', {}, /^tgs_[0-9A-Za-z]{49}$/],
  ] as const)('generates a %s that parses back', (kind, options, shape) => {
    const sut = generateCredential(kind, options);
    expect(sut).toMatch(shape);
    expect(sut.length).toBeLessThanOrEqual(MAX_CREDENTIAL_LENGTH);
    const parsed = parseCredential(sut);
    expect(parsed).toMatchObject({ kind, environment: 'environment' in options ? options.environment : undefined });
    expect(sut.startsWith(parsed!.displayPrefix)).toBe(true);
  });

  it('refuses every single-character change (checksum)', () => {
    const credential = generateCredential('pat');
    const body = credential.slice(4);
    for (let i = 0; i < body.length; i++) {
      const replacement = body[i] === 'a' ? 'b' : 'a';
      const typo = 'tgp_' + body.slice(0, i) + replacement + body.slice(i + 1);
      expect(parseCredential(typo)).toBeNull();
    }
  });

  it('refuses transposed neighbours', () => {
    const credential = generateCredential('client_secret');
    const chars = [...credential];
    const i = chars.findIndex((c, k) => k > 4 && c !== chars[k + 1]);
    [chars[i], chars[i + 1]] = [chars[i + 1], chars[i]];
    expect(parseCredential(chars.join(''))).toBeNull();
  });

  it.each([
    ['empty', ''],
    ['random text', 'hello world'],
    ['api key without environment', generateCredential('pat').replace('tgp_', 'tgk_')],
    ['pat with an environment', 'tgp_live_' + generateCredential('pat').slice(4)],
    ['unknown kind', generateCredential('pat').replace('tgp_', 'tgx_')],
    ['too long', 'tgp_' + 'a'.repeat(10_000)],
    ['non-ascii', generateCredential('pat').slice(0, -1) + 'é'],
  ])('refuses %s', (_name, value) => {
    expect(parseCredential(value)).toBeNull();
  });

  it('recognises the prefix of a credential whose checksum fails', () => {
    expect(hasCredentialPrefix('tgk_live_nonsense')).toBe(true);
    expect(hasCredentialPrefix('eyJhbGciOi')).toBe(false);
  });

  it('draws base62 characters evenly (no modulo bias)', () => {
    const counts = new Map<string, number>();
    for (const c of randomBase62(62 * 2000)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(BASE62_ALPHABET.length);
    const first8 = Array.from(BASE62_ALPHABET.slice(0, 8)).reduce((n, c) => n + counts.get(c)!, 0) / 8;
    const rest = Array.from(BASE62_ALPHABET.slice(8)).reduce((n, c) => n + counts.get(c)!, 0) / 54;
    // With `byte % 62` the first eight characters come up 5/4 as often; here the means agree within 10 %.
    expect(Math.abs(first8 / rest - 1)).toBeLessThan(0.1);
  });
});
