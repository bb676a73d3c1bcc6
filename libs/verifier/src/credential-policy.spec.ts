import { MemoryRateLimiter } from '@tollgate/rate-limit';
import { addressAllowed, enforceConstraints } from './credential-policy.js';
import type { Principal } from './principal.js';
import { VerificationError } from './verification-error.js';

describe(addressAllowed.name, () => {
  const allowlist = ['198.51.100.0/24', '203.0.113.7', '2001:db8::/32'];

  it.each([
    ['198.51.100.1', true],
    ['198.51.100.255', true],
    ['198.51.101.1', false],
    ['203.0.113.7', true],
    ['203.0.113.8', false],
    ['2001:db8::1', true],
    ['2001:db9::1', false],
    ['::ffff:198.51.100.9', true],
    ['::ffff:192.0.2.1', false],
  ])('%s → %s', (address, allowed) => {
    expect(addressAllowed(address, allowlist)).toBe(allowed);
  });

  it.each(['', 'localhost', '198.51.100', '198.51.100.1.5', 'unknown'])(
    'refuses what is not an address (%j)',
    (address) => {
      expect(addressAllowed(address, allowlist)).toBe(false);
    },
  );
});

describe(enforceConstraints.name, () => {
  const principal = (constraints?: Principal['constraints']): Principal => ({
    credentialType: 'api_key',
    credentialId: 'key-1',
    subject: 'consumer-1',
    scopes: new Set(),
    audience: [],
    constraints,
  });

  it('adds nothing for a credential without a policy, or with an empty allowlist', async () => {
    expect(await enforceConstraints(principal(), '192.0.2.1', new MemoryRateLimiter())).toEqual({});
    expect(await enforceConstraints(principal({ ipAllowlist: [] }), '192.0.2.1', new MemoryRateLimiter())).toEqual({});
  });

  it('checks the address before spending the bucket', async () => {
    const take = vi.fn();
    const limited = principal({ ipAllowlist: ['10.0.0.0/8'], rateLimit: { requests: 1, perSeconds: 1 } });
    const error = (await enforceConstraints(limited, '192.0.2.1', { take }).catch(
      (e: unknown) => e,
    )) as VerificationError;
    expect(error).toBeInstanceOf(VerificationError);
    expect({ code: error.code, reason: error.reason, status: error.status }).toEqual({
      code: 'access_denied',
      reason: 'ip_not_allowed',
      status: 403,
    });
    expect(take).not.toHaveBeenCalled();
  });

  it('does not enforce a rate limit without a limiter', async () => {
    expect(
      await enforceConstraints(principal({ rateLimit: { requests: 1, perSeconds: 60 } }), '192.0.2.1', undefined),
    ).toEqual({});
  });

  it('takes from the credential’s own bucket unless it names its lineage’s', async () => {
    const take = vi.fn().mockResolvedValue({ allowed: true, remaining: 0, resetSeconds: 1, retryAfterSeconds: 0 });
    await enforceConstraints(principal({ rateLimit: { requests: 1, perSeconds: 1 } }), '192.0.2.1', { take });
    await enforceConstraints(
      principal({ rateLimit: { requests: 1, perSeconds: 1, bucket: 'lineage-1' } }),
      '192.0.2.1',
      { take },
    );
    expect(take.mock.calls.map(([bucket]) => bucket)).toEqual(['credential:key-1', 'credential:lineage-1']);
  });
});
