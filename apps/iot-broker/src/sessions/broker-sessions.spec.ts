import type { Client } from 'aedes';
import { pino } from 'pino';
import { TopicAcl } from '../access/topic-acl.js';
import { BrokerSessions, SessionMatch } from './broker-sessions.js';
import { attachSession, type DeviceSession } from './device-session.js';

const DAY_MS = 86_400_000;

function fakeClient(
  clientId: string,
  {
    expiresAt,
    issuedAt = new Date(),
    oauthClientId = clientId,
    jti = `jti-${clientId}`,
  }: { expiresAt: Date; issuedAt?: Date; oauthClientId?: string; jti?: string },
) {
  const client = {
    id: clientId,
    closed: false,
    close: vi.fn((done?: () => void) => ((client.closed = true), done?.())),
  };
  const session: DeviceSession = {
    clientId,
    kind: 'device',
    principal: {
      credentialType: 'access_token',
      credentialId: jti,
      subject: clientId,
      clientId: oauthClientId,
      scopes: new Set(['device']),
      audience: [],
      issuedAt,
      expiresAt,
    },
    claims: { client_id: oauthClientId, sub: clientId, jti },
    acl: TopicAcl.fromScope('device', clientId),
    peer: { remoteAddress: '10.0.0.1', transport: 'tcp' },
    connectedAt: new Date(),
  };
  attachSession(client as unknown as Client, session);
  return { client, session, asClient: client as unknown as Client };
}

describe(BrokerSessions.name, () => {
  const logger = pino({ level: 'silent' });

  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('closes a session when its token expires, not before', () => {
    const sut = new BrokerSessions(logger);
    const device = fakeClient('t1', { expiresAt: new Date(Date.now() + 2_000) });
    sut.track(device.asClient);
    vi.advanceTimersByTime(1_999);
    expect(device.client.close).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(device.client.close).toHaveBeenCalledOnce();
    expect(device.session.endedBy).toBe('token_expired');
    expect(sut.size).toBe(0);
  });

  it('keeps a session whose token expires beyond the 24.8-day timer limit until the token really expires', () => {
    const sut = new BrokerSessions(logger);
    const device = fakeClient('t1', { expiresAt: new Date(Date.now() + 60 * DAY_MS) });
    sut.track(device.asClient);
    vi.advanceTimersByTime(1);
    expect(device.client.close).not.toHaveBeenCalled();
    vi.advanceTimersByTime(2 ** 31);
    expect(device.client.close).not.toHaveBeenCalled();
    vi.advanceTimersByTime(60 * DAY_MS - 2 ** 31 - 2);
    expect(device.client.close).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(device.client.close).toHaveBeenCalledOnce();
  });

  it('closes at once a session whose token is already expired when tracked', () => {
    const sut = new BrokerSessions(logger);
    const device = fakeClient('t1', { expiresAt: new Date(Date.now() - 1) });
    sut.track(device.asClient);
    expect(device.client.close).toHaveBeenCalledOnce();
  });

  it('stops the expiry timer of a session that disconnected', () => {
    const sut = new BrokerSessions(logger);
    const device = fakeClient('t1', { expiresAt: new Date(Date.now() + 1_000) });
    sut.track(device.asClient);
    sut.untrack(device.asClient);
    vi.advanceTimersByTime(5_000);
    expect(device.client.close).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('closes what a predicate selects, marks why, and counts', async () => {
    const sut = new BrokerSessions(logger);
    const later = new Date(Date.now() + DAY_MS);
    const old = fakeClient('t-old', {
      expiresAt: later,
      issuedAt: new Date(Date.now() - 3_600_000),
      oauthClientId: 'fleet',
    });
    const recent = fakeClient('t-new', { expiresAt: later, oauthClientId: 'fleet' });
    const other = fakeClient('t-other', {
      expiresAt: later,
      issuedAt: new Date(Date.now() - 3_600_000),
      oauthClientId: 'other',
    });
    for (const device of [old, recent, other]) sut.track(device.asClient);

    await expect(
      sut.closeWhere(SessionMatch.issuedBefore(new Date(Date.now() - 60_000), 'fleet'), 'client_revoked'),
    ).resolves.toBe(1);
    expect(old.session.endedBy).toBe('client_revoked');
    expect([recent, other].map((d) => d.client.close.mock.calls.length)).toEqual([0, 0]);
    await expect(sut.closeWhere(SessionMatch.issuedBefore(new Date(Date.now() - 60_000)), 'all_revoked')).resolves.toBe(
      1,
    );
    expect(other.session.endedBy).toBe('all_revoked');
    await expect(sut.closeWhere(SessionMatch.tokenId('jti-t-new'), 'token_revoked')).resolves.toBe(1);
    await expect(sut.closeWhere(() => true, 'again')).resolves.toBe(0);
    expect(sut.size).toBe(0);
  });
});
