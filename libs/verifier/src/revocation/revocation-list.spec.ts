import type { Principal } from '../principal.js';
import { RevocationList } from './revocation-list.js';

const T = Date.parse('2026-06-01T12:00:00Z');
const HOUR = 3_600_000;

function jwt(overrides: Partial<Principal> = {}): Principal {
  return { credentialType: 'access_token', credentialId: 'jti-1', subject: 'client-1', clientId: 'client-1', scopes: new Set(['contacts:read']), audience: ['https://crm'], issuedAt: new Date(T), ...overrides };
}

/** A JWT obtained by exchanging PAT `pat-1` of user `user-1` (RFC 8693). */
function exchanged(issuedAt: number, overrides: Partial<Principal> = {}): Principal {
  return jwt({ credentialId: `jti-${issuedAt}`, subject: 'user-1', clientId: 'gateway', userId: 'user-1', patId: 'pat-1', issuedAt: new Date(issuedAt), ...overrides });
}

describe(RevocationList.name, () => {
  let now: number;
  let sut: RevocationList;

  beforeEach(() => {
    now = T;
    sut = new RevocationList(() => now);
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
      expect(sut.reasonFor({ ...jwt(), credentialType: 'pat', credentialId: 'pat-1', userId: 'user-1', issuedAt: new Date(T - HOUR) })).toBeNull();
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
