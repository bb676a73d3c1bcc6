import type { AccessTokenClaims, Principal } from '@tollgate/verifier';
import { type AccessTokenVerifier, ConnackCode, DeviceAuthenticator } from './device-authenticator.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const PEER = { remoteAddress: '203.0.113.7', transport: 'tcp' as const };

/** What the verifier hands back for a token: the same objects for as long as it remembers the token. */
function verified(sub: string, scope: string): { principal: Principal; claims: AccessTokenClaims } {
  const claims = { sub, scope, client_id: sub, jti: `${sub}-${scope}` } as AccessTokenClaims;
  return {
    claims,
    principal: {
      credentialType: 'access_token',
      credentialId: claims.jti!,
      subject: sub,
      clientId: sub,
      scopes: new Set(scope.split(' ')),
      audience: [],
      expiresAt: new Date(NOW + 60_000),
    },
  };
}

describe(DeviceAuthenticator.name, () => {
  const tokens = new Map([
    ['thermostat-token', verified('thermostat-1', 'device')],
    ['watcher-token', verified('thermostat-1', 'devices:read:thermostat-1')],
    ['stolen-token', verified('thermostat-2', 'device')],
    [
      'certificate-bound-token',
      (() => {
        const bound = verified('thermostat-1', 'device');
        return { ...bound, principal: { ...bound.principal, confirmation: { x5tS256: 'thermostat-1-cert' } } };
      })(),
    ],
    [
      'dpop-bound-token',
      (() => {
        const bound = verified('thermostat-1', 'device');
        return { ...bound, principal: { ...bound.principal, confirmation: { jkt: 'key-thumbprint' } } };
      })(),
    ],
  ]);
  const verifier: AccessTokenVerifier = { verify: async (token) => tokens.get(token)! };
  const sut = new DeviceAuthenticator(verifier, { now: () => NOW });
  const connect = (password: string, clientId = 'thermostat-1') =>
    sut.authenticate({ clientId, username: clientId, password: Buffer.from(password), peer: PEER });

  it('computes a token’s ACL once, and each token gets the ACL its own scopes grant', async () => {
    const first = await connect('thermostat-token');
    const again = await connect('thermostat-token');
    const narrower = await connect('watcher-token');

    expect(again.acl).toBe(first.acl);
    expect(first.acl.mayPublish('devices/thermostat-1/telemetry', { retain: false })).toBe(true);
    expect(narrower.acl).not.toBe(first.acl);
    expect(narrower.acl.mayPublish('devices/thermostat-1/telemetry', { retain: false })).toBe(false);
    expect(narrower.acl.mayReceive('devices/thermostat-1/telemetry')).toBe(true);
  });

  it('still refuses a remembered token presented under another client id', async () => {
    await connect('stolen-token', 'thermostat-2');
    await expect(connect('stolen-token', 'thermostat-1')).rejects.toMatchObject({
      returnCode: ConnackCode.NotAuthorized,
      reason: 'subject_mismatch',
    });
  });

  it('refuses a sender-constrained (DPoP-bound) token: a CONNECT cannot prove its key', async () => {
    await expect(connect('dpop-bound-token')).rejects.toMatchObject({
      returnCode: ConnackCode.BadUsernameOrPassword,
      reason: 'sender_constrained',
    });
  });

  it('opens a certificate-bound token’s session only on a TLS connection with that certificate (RFC 8705)', async () => {
    const over = (certificateThumbprint?: string) =>
      sut.authenticate({
        clientId: 'thermostat-1',
        username: 'thermostat-1',
        password: Buffer.from('certificate-bound-token'),
        peer: { remoteAddress: '203.0.113.7', transport: certificateThumbprint ? 'tls' : 'tcp', certificateThumbprint },
      });
    await expect(over('thermostat-1-cert')).resolves.toMatchObject({ clientId: 'thermostat-1' });
    await expect(over('another-device-cert')).rejects.toMatchObject({
      returnCode: ConnackCode.NotAuthorized,
      reason: 'certificate_mismatch',
    });
    await expect(over(undefined)).rejects.toMatchObject({ reason: 'certificate_mismatch' });
  });

  describe('a token the verifier remembers', () => {
    const remembered = new Set(['thermostat-token', 'stolen-token']);
    const remembering = new DeviceAuthenticator(
      { ...verifier, remembered: (token) => (remembered.has(token) ? tokens.get(token) : undefined) },
      { now: () => NOW },
    );
    const reconnect = (password: string, clientId = 'thermostat-1', will?: { topic: string; retain: boolean }) =>
      remembering.authenticateRemembered({
        clientId,
        username: clientId,
        password: Buffer.from(password),
        peer: PEER,
        will,
      });

    it('opens the same session at once as authenticate does after waiting', async () => {
      const now = reconnect('thermostat-token');
      const later = await connect('thermostat-token');
      expect(now).toMatchObject({ clientId: 'thermostat-1', kind: 'device', principal: later.principal, peer: PEER });
      expect(now?.acl.mayPublish('devices/thermostat-1/telemetry', { retain: false })).toBe(true);
    });

    it('leaves a token it does not remember to authenticate', () => {
      expect(reconnect('watcher-token')).toBeUndefined();
    });

    it('refuses at once what authenticate refuses', () => {
      expect(() => reconnect('stolen-token')).toThrow(expect.objectContaining({ reason: 'subject_mismatch' }));
      expect(() =>
        reconnect('thermostat-token', 'thermostat-1', { topic: 'devices/thermostat-2/state', retain: false }),
      ).toThrow(expect.objectContaining({ reason: 'will_not_allowed' }));
      expect(() => reconnect('tgk_live_not-a-jwt')).toThrow(expect.objectContaining({ reason: 'opaque_credential' }));
      expect(() => reconnect('thermostat-token', 'thermostat/1')).toThrow(
        expect.objectContaining({ reason: 'invalid_client_id' }),
      );
    });
  });
});
