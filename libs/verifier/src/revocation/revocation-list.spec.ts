import type { Principal } from '../principal.js';
import { RevocationList } from './revocation-list.js';

const T = Date.parse('2026-06-01T12:00:00Z');
const HOUR = 3_600_000;

function jwt(overrides: Partial<Principal> = {}): Principal {
  return {
    credentialType: 'access_token',
    credentialId: 'jti-1',
    subject: 'client-1',
    clientId: 'client-1',
    scopes: new Set(['contacts:read']),
    audience: ['https://crm'],
    issuedAt: new Date(T),
    ...overrides,
  };
}

/** A JWT obtained by exchanging PAT `pat-1` of user `user-1` (RFC 8693). */
function exchanged(issuedAt: number, overrides: Partial<Principal> = {}): Principal {
  return jwt({
    credentialId: `jti-${issuedAt}`,
    subject: 'user-1',
    clientId: 'gateway',
    userId: 'user-1',
    patId: 'pat-1',
    issuedAt: new Date(issuedAt),
    ...overrides,
  });
}

describe(RevocationList.name, () => {
  let now: number;
  let sut: RevocationList;

  beforeEach(() => {
    now = T;
    sut = new RevocationList(() => now);
  });

  it('accepts what no rule names', () => {
    expect(sut.reasonFor(jwt())).toBeNull();
  });

  describe('revoked JWTs (token.revoked)', () => {
    it('refuses the revoked jti only', () => {
      sut.revokeToken('jti-1', new Date(T + HOUR));
      expect(sut.reasonFor(jwt())).toBe('revoked');
      expect(sut.reasonFor(jwt({ credentialId: 'jti-2' }))).toBeNull();
    });

    it('does not confuse a jti with a PAT or API key of the same id', () => {
      sut.revokeToken('id-1', new Date(T + HOUR));
      expect(sut.reasonFor({ ...jwt(), credentialType: 'api_key', credentialId: 'id-1' })).toBeNull();
      sut.revokeCredential('id-2');
      expect(sut.reasonFor(jwt({ credentialId: 'id-2' }))).toBeNull();
    });

    it('forgets a revoked jti once it has expired, and not before', () => {
      sut.revokeToken('jti-1', new Date(T + HOUR));
      now = T + HOUR;
      sut.prune(24 * HOUR);
      expect(sut.reasonFor(jwt())).toBe('revoked');
      now = T + HOUR + 1;
      sut.prune(24 * HOUR);
      expect(sut.reasonFor(jwt())).toBeNull();
    });
  });

  describe('revoked PATs and API keys (credential.revoked)', () => {
    const apiKey = (overrides: Partial<Principal> = {}) =>
      jwt({
        credentialType: 'api_key',
        credentialId: 'key-1',
        subject: 'consumer-1',
        clientId: undefined,
        consumerId: 'consumer-1',
        ...overrides,
      });

    it('refuses the revoked credential for ten minutes, covering any introspection still in flight, then forgets it', () => {
      sut.revokeCredential('key-1');
      expect(sut.reasonFor(apiKey())).toBe('revoked');
      now = T + 10 * 60_000;
      sut.prune(24 * HOUR);
      expect(sut.reasonFor(apiKey())).toBe('revoked');
      now = T + 10 * 60_000 + 1;
      sut.prune(24 * HOUR);
      expect(sut.reasonFor(apiKey())).toBeNull();
    });

    it('leaves a re-enabled consumer’s keys to introspection: “issued before” rules are for JWTs only', () => {
      sut.revokeIssuedBefore('consumer', 'consumer-1', new Date(T + HOUR));
      expect(sut.reasonFor(apiKey())).toBeNull();
      expect(sut.reasonFor(jwt({ consumerId: 'consumer-1' }))).toBe('consumer_credentials_revoked');
    });
  });

  describe('retired signing keys (signing_key.retired)', () => {
    it('refuses every token the key signed, whatever else holds, and never forgets it', () => {
      sut.retireKey('kid-1');
      now = T + 365 * 24 * HOUR;
      sut.prune(24 * HOUR);
      expect(sut.reasonFor(jwt({ keyId: 'kid-1', issuedAt: new Date(now) }))).toBe('signing_key_retired');
      expect(sut.reasonFor(jwt({ keyId: 'kid-2', issuedAt: new Date(now) }))).toBeNull();
      expect(sut.reasonFor(jwt({ keyId: undefined }))).toBeNull();
    });
  });

  describe('every JWT of a subject issued before T (subject.revoked_before)', () => {
    it.each([
      ['client', { clientId: 'x-1' }, 'client_credentials_revoked'],
      ['user', { userId: 'x-1' }, 'user_credentials_revoked'],
      ['consumer', { consumerId: 'x-1' }, 'consumer_credentials_revoked'],
    ] as const)(
      'refuses a %s’s tokens issued before T, and accepts those issued at T or after',
      (kind, owner, reason) => {
        sut.revokeIssuedBefore(kind, 'x-1', new Date(T));
        expect(sut.reasonFor(jwt({ ...owner, issuedAt: new Date(T - 1_000) }))).toBe(reason);
        expect(sut.reasonFor(jwt({ ...owner, issuedAt: new Date(T) }))).toBeNull();
      },
    );

    it('keeps the latest T when an older event arrives later (feed replay)', () => {
      sut.revokeIssuedBefore('client', 'client-1', new Date(T + 2_000));
      sut.revokeIssuedBefore('client', 'client-1', new Date(T));
      expect(sut.reasonFor(jwt({ issuedAt: new Date(T + 1_000) }))).toBe('client_credentials_revoked');
    });

    it('forgets a rule once no token issued before it can still be alive', () => {
      sut.revokeIssuedBefore('client', 'client-1', new Date(T));
      now = T + 24 * HOUR;
      sut.prune(24 * HOUR);
      expect(sut.reasonFor(jwt({ issuedAt: new Date(T - 1) }))).toBe('client_credentials_revoked');
      now = T + 24 * HOUR + 1;
      sut.prune(24 * HOUR);
      expect(sut.reasonFor(jwt({ issuedAt: new Date(T - 1) }))).toBeNull();
    });
  });

  describe('JWTs exchanged for a PAT', () => {
    it('refuses those exchanged before their owner changed, and accepts those exchanged at or after', () => {
      sut.refuseExchangedBefore('user', 'user-1', new Date(T + 500));
      expect(sut.reasonFor(exchanged(T))).toBe('pat_changed_since_exchange');
      expect(sut.reasonFor(exchanged(T + 1_000))).toBeNull();
      expect(sut.reasonFor(exchanged(T, { userId: 'user-2', patId: 'pat-2' }))).toBeNull();
    });

    it('refuses those exchanged before their PAT changed', () => {
      sut.refuseExchangedBefore('pat', 'pat-1', new Date(T + 500));
      expect(sut.reasonFor(exchanged(T))).toBe('pat_changed_since_exchange');
      expect(sut.reasonFor(exchanged(T, { patId: 'pat-2' }))).toBeNull();
      expect(sut.reasonFor(exchanged(T + 1_000))).toBeNull();
    });

    it('keeps the latest change when an older one arrives later (feed replay)', () => {
      sut.refuseExchangedBefore('user', 'user-1', new Date(T + 2_000));
      sut.refuseExchangedBefore('user', 'user-1', new Date(T + 500));
      expect(sut.reasonFor(exchanged(T + 1_000))).toBe('pat_changed_since_exchange');
    });

    it('refuses every one of a revoked PAT at once, before their own ids are revoked', () => {
      sut.revokeCredential('pat-1');
      expect(sut.reasonFor(exchanged(T + HOUR))).toBe('pat_revoked');
    });

    it('leaves the client’s own tokens, the user’s PAT itself and other kinds alone', () => {
      sut.refuseExchangedBefore('user', 'user-1', new Date(T + HOUR));
      sut.refuseExchangedBefore('pat', 'pat-1', new Date(T + HOUR));
      expect(sut.reasonFor(jwt({ subject: 'gateway', clientId: 'gateway' }))).toBeNull();
      expect(
        sut.reasonFor({
          ...jwt(),
          credentialType: 'pat',
          credentialId: 'pat-1',
          userId: 'user-1',
          issuedAt: new Date(T - HOUR),
        }),
      ).toBeNull();
    });

    it('forgets a rule once no token issued before it can still be alive', () => {
      sut.refuseExchangedBefore('user', 'user-1', new Date(T));
      now = T + 25 * HOUR;
      sut.prune(24 * HOUR);
      expect(sut.reasonFor(exchanged(T - 1_000))).toBeNull();
    });
  });

  it('gives reasons in the form usage reports accept (lower case and underscores)', () => {
    sut.revokeIssuedBefore('client', 'client-1', new Date(T + 1));
    sut.refuseExchangedBefore('user', 'user-1', new Date(T + 1));
    const reasons = [sut.reasonFor(jwt()), sut.reasonFor(exchanged(T))];
    sut.revokeCredential('pat-1');
    reasons.push(sut.reasonFor(exchanged(T)));
    for (const reason of reasons) expect(reason).toMatch(/^[a-z_]{1,64}$/);
  });
});
