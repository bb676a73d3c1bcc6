import { pino } from 'pino';
import type { Publisher } from '../connection/broker-connection.js';
import { loadDevicesConfig } from '../config/devices.config.js';
import { Thermostat } from './thermostat.js';

/** The room as a thermostat simulates it by default (the defaults of its THERMOSTAT_* variables). */
const settings = thermostatDefaults();
const now = new Date('2030-01-01T12:00:00Z');

function publisherSpy() {
  const published: Array<{ topic: string; message: Record<string, unknown>; retain?: boolean }> = [];
  const publisher: Publisher = {
    connected: true,
    publish: async (topic, message, options) => {
      published.push({ topic, message: message as Record<string, unknown>, retain: options.retain });
      return true;
    },
  };
  return {
    publisher,
    acks: () => published.filter((p) => p.topic === 'devices/t1/commands/ack').map((p) => p.message),
    published,
  };
}

const command = (value: object) => Buffer.from(JSON.stringify(value));

describe(Thermostat.name, () => {
  it('applies a command once and acknowledges every delivery of it', async () => {
    const { publisher, acks } = publisherSpy();
    const sut = new Thermostat('t1', settings, publisher, pino({ level: 'silent' }), () => now);
    sut.handleMessage('devices/t1/commands/setpoint', command({ id: 'c1', setpoint: 22 }));
    sut.handleMessage('devices/t1/commands/setpoint', command({ id: 'c1', setpoint: 22 }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(sut.status()).toMatchObject({ setpoint: 22, heating: true });
    expect(acks()).toEqual([
      {
        id: 'c1',
        command: 'setpoint',
        status: 'applied',
        state: { setpoint: 22, mode: 'heat' },
        at: now.toISOString(),
      },
      {
        id: 'c1',
        command: 'setpoint',
        status: 'applied',
        duplicate: true,
        state: { setpoint: 22, mode: 'heat' },
        at: now.toISOString(),
      },
    ]);
  });

  it('acknowledges a command it cannot apply as rejected, with the reason, and changes nothing', async () => {
    const { publisher, acks } = publisherSpy();
    const sut = new Thermostat('t1', settings, publisher, pino({ level: 'silent' }), () => now);
    sut.handleMessage('devices/t1/commands/setpoint', command({ id: 'c2', setpoint: 45 }));
    sut.handleMessage('devices/t1/commands/setpoint', Buffer.from('{oops'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(sut.status().setpoint).toBe(19);
    expect(acks()).toEqual([
      expect.objectContaining({
        id: 'c2',
        status: 'rejected',
        reason: 'out_of_range',
        state: { setpoint: 19, mode: 'heat' },
      }),
    ]);
  });

  it('ignores its own acknowledgements echoed back', async () => {
    const { publisher, published } = publisherSpy();
    const sut = new Thermostat('t1', settings, publisher, pino({ level: 'silent' }), () => now);
    sut.handleMessage('devices/t1/commands/ack', command({ id: 'c1', status: 'applied' }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(published).toEqual([]);
  });

  it('publishes its state retained on connect, and has a will that marks it offline', async () => {
    const { publisher, published } = publisherSpy();
    const sut = new Thermostat('t1', settings, publisher, pino({ level: 'silent' }), () => now);
    sut.onConnect();
    await new Promise((resolve) => setImmediate(resolve));
    expect(published).toEqual([
      {
        topic: 'devices/t1/state',
        retain: true,
        message: { online: true, temperature: 18, setpoint: 19, mode: 'heat', heating: true, at: now.toISOString() },
      },
    ]);
    expect(Thermostat.will('t1')).toEqual({ topic: 'devices/t1/state', message: { online: false }, retain: true });
  });
});

function thermostatDefaults() {
  const config = loadDevicesConfig({
    DEVICE_ROLE: 'thermostat',
    CLIENT_ID: 't1',
    CLIENT_SECRET: 'an-operator-chosen-secret-0123456789',
    AUTH_ISSUER: 'http://localhost:7400',
  });
  if (config.role !== 'thermostat') throw new Error('expected a thermostat configuration');
  return config.thermostat;
}
