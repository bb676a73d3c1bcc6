import type { PortalLimits } from './consumer-portal.entity.js';
import { beyondLimits, type KeyRequest } from './portal-limits.js';

const CRM = 'https://crm.example.com';
const LIMITS: PortalLimits = {
  grants: [{ resource: CRM, scopes: ['contacts:read', 'contacts:write'] }],
  environments: ['test'],
  maxActiveKeys: 2,
  rateLimitCeiling: { requests: 120, perSeconds: 60 },
};
const WITHIN: KeyRequest = {
  environment: 'test',
  grants: [{ resource: CRM, scopes: ['contacts:read'] }],
  rateLimit: { requests: 2, perSeconds: 1 },
};

describe('beyondLimits', () => {
  it('accepts a request within every limit (a rate equal to the ceiling, however it is written)', () => {
    expect(beyondLimits(LIMITS, WITHIN, 1)).toEqual([]);
    expect(beyondLimits(LIMITS, { ...WITHIN, rateLimit: null, grants: [] }, 0)).toEqual([]);
  });

  it('names each limit a request goes beyond', () => {
    expect(
      beyondLimits(
        LIMITS,
        {
          environment: 'live',
          grants: [
            { resource: CRM, scopes: ['contacts:read', 'contacts:delete'] },
            { resource: 'https://billing.example.com', scopes: ['invoices:read'] },
          ],
          rateLimit: { requests: 121, perSeconds: 60 },
        },
        2,
      ),
    ).toEqual([
      'environment live is not offered (only test)',
      `scope contacts:delete on ${CRM} is not offered`,
      'resource https://billing.example.com is not offered',
      'at most 2 active keys; revoke one first (2 are active)',
      'rate limit 121 per 60 s is above the ceiling of 120 per 60 s',
    ]);
  });
});
