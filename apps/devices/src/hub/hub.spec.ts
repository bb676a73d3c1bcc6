import { pino } from 'pino';
import type { HubSettings } from '../config/devices.config.js';
import type { Publisher } from '../connection/broker-connection.js';
import { HeatingSchedule } from './heating-schedule.js';
import { Hub } from './hub.js';

describe(Hub.name, () => {
  let now = Date.parse('2030-01-01T12:00:00Z');
  const settings: HubSettings = {
    thermostatId: 't1',
    schedule: HeatingSchedule.parse('00:00=21', 'UTC'),
    reconcileIntervalMs: 1000,
    ackTimeoutMs: 5000,
    commandTtlSeconds: 600,
  };
  let sent: Array<{ topic: string; message: Record<string, unknown> }>;
  let sut: Hub;
  const publisher: Publisher = {
    connected: true,
    publish: async (topic, message) => {
      sent.push({ topic, message: message as Record<string, unknown> });
      return true;
    },
  };
  const flush = () => new Promise((resolve) => setImmediate(resolve));
  const receive = async (topic: string, message: object) => {
    sut.handleMessage(topic, Buffer.from(JSON.stringify(message)));
    await flush();
  };

  beforeEach(() => {
    now = Date.parse('2030-01-01T12:00:00Z');
    sent = [];
    sut = new Hub('hub-1', settings, publisher, pino({ level: 'silent' }), () => now);
  });

  it('sends the setpoint the schedule asks for, with an id and an expiry, and stops once acknowledged', async () => {
    await receive('devices/t1/state', { online: true, setpoint: 19, mode: 'heat' });
    expect(sent).toEqual([
      {
        topic: 'devices/t1/commands/setpoint',
        message: { id: expect.any(String), setpoint: 21, expiresAt: '2030-01-01T12:10:00.000Z' },
      },
    ]);
    await receive('devices/t1/commands/ack', {
      id: sent[0].message.id,
      status: 'applied',
      state: { setpoint: 21, mode: 'heat' },
    });
    await receive('devices/t1/telemetry', { temperature: 19, setpoint: 21, mode: 'heat', heating: true });
    expect(sent).toHaveLength(1);
    expect(sut.status()).toMatchObject({
      target: { mode: 'heat', setpoint: 21 },
      thermostat: { setpoint: 21, temperature: 19 },
      pendingCommand: undefined,
    });
  });

  it('sends one command at a time and sends again, with a new id, when no ack comes in time', async () => {
    await receive('devices/t1/state', { setpoint: 19, mode: 'heat' });
    await receive('devices/t1/telemetry', { temperature: 18, setpoint: 19, mode: 'heat' });
    expect(sent).toHaveLength(1);
    now += 5000;
    await receive('devices/t1/telemetry', { temperature: 18, setpoint: 19, mode: 'heat' });
    expect(sent).toHaveLength(2);
    expect(sent[1].message.id).not.toBe(sent[0].message.id);
    // A late ack for the first command changes nothing: the second one is the one awaited.
    await receive('devices/t1/commands/ack', { id: sent[0].message.id, status: 'applied' });
    expect(sut.status().pendingCommand).toMatchObject({ id: sent[1].message.id });
  });

  it('does not repeat a change the thermostat rejected', async () => {
    await receive('devices/t1/state', { setpoint: 19, mode: 'heat' });
    await receive('devices/t1/commands/ack', {
      id: sent[0].message.id,
      status: 'rejected',
      reason: 'out_of_range',
      state: { setpoint: 19, mode: 'heat' },
    });
    now += 60_000;
    await receive('devices/t1/telemetry', { temperature: 18, setpoint: 19, mode: 'heat' });
    expect(sent).toHaveLength(1);
  });

  it('switches the mode first, then the setpoint', async () => {
    await receive('devices/t1/state', { setpoint: 19, mode: 'off' });
    expect(sent.map((s) => s.topic)).toEqual(['devices/t1/commands/mode']);
    await receive('devices/t1/commands/ack', {
      id: sent[0].message.id,
      status: 'applied',
      state: { setpoint: 19, mode: 'heat' },
    });
    expect(sent.map((s) => s.topic)).toEqual(['devices/t1/commands/mode', 'devices/t1/commands/setpoint']);
  });

  it('ignores messages that are not JSON objects', async () => {
    await receive('devices/t1/state', [1, 2]);
    sut.handleMessage('devices/t1/telemetry', Buffer.from('garbage'));
    expect(sut.status().thermostat).toEqual({});
  });
});
