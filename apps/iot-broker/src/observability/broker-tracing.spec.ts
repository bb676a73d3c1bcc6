import { SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { Client, PublishPacket } from 'aedes';
import { pino } from 'pino';
import { TopicAcl } from '../access/topic-acl.js';
import {
  type ConnectAttempt,
  ConnackCode,
  ConnectRefusal,
  type DeviceAuthenticator,
} from '../auth/device-authenticator.js';
import { createBrokerHooks } from '../broker/broker-hooks.js';
import { PublishBudgets } from '../hardening/publish-budget.js';
import { SlowSubscribers } from '../hardening/slow-subscribers.js';
import type { DeviceSession } from '../sessions/device-session.js';
import { BrokerTracing } from './broker-tracing.js';

const NOW = 1_000_000;
const TOKEN = 'eyJ.token-of-thermostat-1.sig';

function sessionOf(clientId: string, scope: string): DeviceSession {
  return {
    clientId,
    kind: 'device',
    principal: {
      credentialType: 'access_token',
      credentialId: 'jti-1',
      subject: clientId,
      scopes: new Set(scope.split(' ')),
      audience: [],
      expiresAt: new Date(NOW + 60_000),
    },
    claims: { client_id: clientId, scope },
    acl: TopicAcl.fromScope(scope, clientId),
    peer: { remoteAddress: '203.0.113.7', transport: 'tls' },
    connectedAt: new Date(NOW),
  };
}

describe(BrokerTracing.name, () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const logger = pino({ level: 'silent' });
  const rate = { messagesPerSecond: 100, bytesPerSecond: 65_536 };
  /** Accepts thermostat-1 with its token (as remembered or after verification); refuses anything else. */
  const authenticator = {
    authenticateRemembered: (attempt: ConnectAttempt) =>
      attempt.clientId === 'remembered-1' ? sessionOf('remembered-1', 'device') : undefined,
    authenticate: async (attempt: ConnectAttempt) => {
      if (attempt.clientId === 'broken-1') throw new Error('database on fire');
      if (attempt.clientId !== 'thermostat-1')
        throw new ConnectRefusal(ConnackCode.NotAuthorized, 'subject_mismatch', 'Not your token');
      return sessionOf('thermostat-1', 'device');
    },
  } as unknown as DeviceAuthenticator;
  const sut = new BrokerTracing(provider.getTracer('test'));
  const hooks = createBrokerHooks({
    authenticator,
    publishBudgets: new PublishBudgets({ device: rate, service: rate }, logger),
    slowSubscribers: new SlowSubscribers(65_536, logger),
    logger,
    tracing: sut,
    now: () => NOW,
  });

  async function connect(clientId: string): Promise<{ client: Client; accepted: boolean }> {
    const client = { id: clientId, conn: {} } as unknown as Client;
    await new Promise((resolve) => hooks.preConnect(client, { clientId } as never, resolve));
    const accepted = await new Promise<boolean>((resolve) =>
      hooks.authenticate(client, clientId, Buffer.from(TOKEN), (_error, success) => resolve(Boolean(success))),
    );
    return { client, accepted };
  }

  async function finishedSpans() {
    await provider.forceFlush();
    return exporter.getFinishedSpans();
  }

  beforeEach(() => exporter.reset());

  it('records an accepted CONNECT with the client kind, whether verified now or remembered', async () => {
    expect((await connect('thermostat-1')).accepted).toBe(true);
    expect((await connect('remembered-1')).accepted).toBe(true);
    const spans = await finishedSpans();
    expect(spans.map((span) => [span.name, span.attributes])).toEqual([
      [
        'mqtt CONNECT',
        {
          'network.protocol.name': 'mqtt',
          'tollgate.mqtt.transport': 'tcp',
          'tollgate.mqtt.outcome': 'accepted',
          'tollgate.client.kind': 'device',
        },
      ],
      ['mqtt CONNECT', expect.objectContaining({ 'tollgate.mqtt.outcome': 'accepted' })],
    ]);
  });

  it('records a refused CONNECT with its reason and CONNACK code, and only a failure to decide as an error', async () => {
    expect((await connect('thermostat-9')).accepted).toBe(false);
    expect((await connect('broken-1')).accepted).toBe(false);
    const [refused, failed] = await finishedSpans();
    expect(refused.attributes).toMatchObject({
      'tollgate.mqtt.outcome': 'refused',
      'tollgate.mqtt.reason': 'subject_mismatch',
      'tollgate.mqtt.connack_code': 5,
    });
    expect(refused.status.code).toBe(SpanStatusCode.UNSET);
    expect(failed.attributes).toMatchObject({
      'tollgate.mqtt.reason': 'internal_error',
      'tollgate.mqtt.connack_code': 3,
    });
    expect(failed.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('records refused publishes and subscriptions by action and reason, never the topic or the client id', async () => {
    const { client } = await connect('thermostat-1');
    exporter.reset();
    const publish = (topic: string) =>
      new Promise((resolve) =>
        hooks.authorizePublish(client, { cmd: 'publish', topic, payload: '', qos: 0 } as PublishPacket, resolve),
      );
    expect(await publish('devices/hub-1/commands')).toBeInstanceOf(Error);
    await new Promise((resolve) => hooks.authorizeSubscribe(client, { topic: 'devices/#', qos: 0 }, resolve));
    expect(await publish('devices/thermostat-1/state')).toBeNull();
    const spans = await finishedSpans();
    expect(spans.map((span) => [span.name, span.attributes])).toEqual([
      [
        'mqtt publish refused',
        {
          'network.protocol.name': 'mqtt',
          'tollgate.mqtt.action': 'publish',
          'tollgate.mqtt.reason': 'topic_not_allowed',
        },
      ],
      ['mqtt subscribe refused', expect.objectContaining({ 'tollgate.mqtt.reason': 'topic_not_allowed' })],
    ]);
    const recorded = JSON.stringify(spans.map((span) => [span.name, span.attributes]));
    expect(recorded).not.toMatch(/hub-1|thermostat-1|devices\/|token/);
  });
});
