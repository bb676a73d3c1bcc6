import { ManualClock } from '@tollgate/platform';
import { generateKeyPair, jwtVerify } from 'jose';
import type { AuthServerConfig } from '../config/auth-server.config.js';
import type { SigningAlg, SigningKeysService } from '../signing-keys/signing-keys.service.js';
import { AccessTokenIssuer } from './access-token.issuer.js';

const ISSUER = 'https://auth.tollgate.test';
const NOW = new Date('2026-12-05T10:00:00Z');

async function issuerSigningWith(alg: SigningAlg, signOnThreadPool: boolean) {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const keys = { signingKey: () => ({ kid: `${alg}-key`, alg, key: privateKey }) } as unknown as SigningKeysService;
  const config = { issuer: ISSUER, signOnThreadPool } as AuthServerConfig;
  return { issuer: new AccessTokenIssuer(keys, config, new ManualClock(NOW)), publicKey };
}

describe('AccessTokenIssuer', () => {
  describe.each([
    ['ES256', false],
    ['ES256', true],
    ['EdDSA', false],
    ['EdDSA', true],
  ] as const)('%s, signing on the thread pool: %s', (alg, signOnThreadPool) => {
    it('signs an RFC 9068 access token that jose verifies with the public key', async () => {
      const { issuer, publicKey } = await issuerSigningWith(alg, signOnThreadPool);

      const issued = await issuer.issue({
        subject: 'sensor-7',
        clientId: 'sensor-7',
        audience: 'https://iot.tollgate.test',
        scopes: ['telemetry:write', 'commands:read'],
        ttlSeconds: 900,
      });

      const { payload, protectedHeader } = await jwtVerify(issued.token, publicKey, {
        issuer: ISSUER,
        audience: 'https://iot.tollgate.test',
        typ: 'at+jwt',
        algorithms: [alg],
        currentDate: NOW,
      });
      expect(protectedHeader).toEqual({ alg, kid: `${alg}-key`, typ: 'at+jwt' });
      expect(payload).toMatchObject({
        sub: 'sensor-7',
        client_id: 'sensor-7',
        scope: 'telemetry:write commands:read',
        iat: NOW.getTime() / 1000,
        exp: NOW.getTime() / 1000 + 900,
        jti: issued.jti,
      });
      expect(issued.expiresAt).toEqual(new Date(NOW.getTime() + 900_000));
    });
  });

  it('refuses to let a signature made with another key pass', async () => {
    const { issuer } = await issuerSigningWith('ES256', false);
    const { publicKey: otherKey } = await generateKeyPair('ES256');
    const { token } = await issuer.issue({
      subject: 'svc',
      clientId: 'svc',
      audience: 'https://crm.tollgate.test',
      scopes: [],
      ttlSeconds: 60,
    });

    await expect(jwtVerify(token, otherKey, { currentDate: NOW })).rejects.toThrow(/signature verification failed/);
  });
});
