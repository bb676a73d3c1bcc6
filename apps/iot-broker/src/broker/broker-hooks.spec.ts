import type { AedesPublishPacket, Client, PublishPacket, Subscription } from 'aedes';
import { pino } from 'pino';
import { TopicAcl } from '../access/topic-acl.js';
import type { DeviceAuthenticator } from '../auth/device-authenticator.js';
import { PublishBudgets } from '../hardening/publish-budget.js';
import { SlowSubscribers } from '../hardening/slow-subscribers.js';
import { attachSession, type DeviceSession } from '../sessions/device-session.js';
import { createBrokerHooks } from './broker-hooks.js';

describe(createBrokerHooks.name, () => {
  let now = 1_000_000;
  const logger = pino({ level: 'silent' });
  const rate = { messagesPerSecond: 100, bytesPerSecond: 65_536 };
  const sut = createBrokerHooks({
    authenticator: {} as DeviceAuthenticator,
    publishBudgets: new PublishBudgets({ device: rate, service: rate }, logger),
    slowSubscribers: new SlowSubscribers(65_536, logger),
    logger,
    now: () => now,
  });

  function clientWith(scope: string, expiresInMs = 60_000): { client: Client; session: DeviceSession } {
    const client = { id: 'hub-1' } as Client;
    const session: DeviceSession = {
      clientId: 'hub-1',
      kind: 'device',
      principal: {
        credentialType: 'access_token',
        credentialId: 'j',
        subject: 'hub-1',
        scopes: new Set(scope.split(' ')),
        audience: [],
        expiresAt: new Date(now + expiresInMs),
      },
      claims: { client_id: 'hub-1', scope },
      acl: TopicAcl.fromScope(scope, 'hub-1'),
      peer: { remoteAddress: '10.0.0.1', transport: 'tcp' },
      connectedAt: new Date(now),
    };
    attachSession(client, session);
    return { client, session };
  }
  const packet = (topic: string, retain = false) =>
    ({ cmd: 'publish', topic, payload: Buffer.from('{}'), qos: 1, dup: false, retain }) as PublishPacket;
  const authorizePublish = (client: Client | null, p: PublishPacket) =>
    new Promise<Error | null | undefined>((resolve) => sut.authorizePublish(client, p, resolve));
  const authorizeSubscribe = (client: Client, topic: string) =>
    new Promise<{ error: Error | null; subscription?: Subscription | null }>((resolve) =>
      sut.authorizeSubscribe(client, { topic, qos: 1 }, (error, subscription) => resolve({ error, subscription })),
    );

  beforeEach(() => {
    now = 1_000_000;
  });

  it('forwards only what the receiving session may read', () => {
    const { client } = clientWith('devices:read:thermostat-*');
    expect(sut.authorizeForward(client, packet('devices/thermostat-1/state') as AedesPublishPacket)).toMatchObject({
      topic: 'devices/thermostat-1/state',
    });
    expect(
      sut.authorizeForward(client, packet('devices/thermostat-1/commands/setpoint') as AedesPublishPacket),
    ).toBeNull();
    expect(sut.authorizeForward(client, packet('$SYS/broker/new/clients') as AedesPublishPacket)).toBeNull();
  });

  it('withholds deliveries, refuses publishes and ends subscriptions once the token has expired', async () => {
    const { client } = clientWith('devices:control:thermostat-*', 1_000);
    expect(await authorizePublish(client, packet('devices/thermostat-1/commands/mode'))).toBeNull();
    now += 1_000;
    expect(sut.authorizeForward(client, packet('devices/thermostat-1/state') as AedesPublishPacket)).toBeNull();
    expect(await authorizePublish(client, packet('devices/thermostat-1/commands/mode'))).toBeInstanceOf(Error);
    expect((await authorizeSubscribe(client, 'devices/thermostat-1/state')).error).toBeInstanceOf(Error);
  });

  it('refuses a subscription alone (SUBACK 0x80) and keeps an allowed one', async () => {
    const { client } = clientWith('devices:control:thermostat-*');
    expect(await authorizeSubscribe(client, 'devices/#')).toEqual({ error: null, subscription: null });
    expect(await authorizeSubscribe(client, 'devices/thermostat-1/state')).toEqual({
      error: null,
      subscription: { topic: 'devices/thermostat-1/state', qos: 1 },
    });
  });

  it('does not publish the will of a session the broker ended, nor a publish without a session', async () => {
    const { client, session } = clientWith('device');
    session.endedBy = 'token_revoked';
    expect(await authorizePublish(client, packet('devices/hub-1/state', true))).toBeInstanceOf(Error);
    expect(await authorizePublish(null, packet('devices/hub-1/state', true))).toBeInstanceOf(Error);
    expect(await authorizePublish({ id: 'anonymous' } as Client, packet('devices/hub-1/state', true))).toBeInstanceOf(
      Error,
    );
  });
});
