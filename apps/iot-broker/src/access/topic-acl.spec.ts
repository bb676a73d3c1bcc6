import { TopicAcl } from './topic-acl.js';

describe(TopicAcl.name, () => {
  describe('device', () => {
    const sut = TopicAcl.fromScope('device', 'thermostat-1');

    it.each([
      ['devices/thermostat-1/telemetry', false],
      ['devices/thermostat-1/state', true],
      ['devices/thermostat-1/state', false],
      ['devices/thermostat-1/commands/ack', false],
    ])('may publish %s (retain %s)', (topic, retain) => {
      expect(sut.mayPublish(topic, { retain })).toBe(true);
    });

    it.each([
      ['devices/thermostat-1/telemetry', true],
      ['devices/thermostat-1/commands/ack', true],
      ['devices/thermostat-1/commands/setpoint', false],
      ['devices/thermostat-2/telemetry', false],
      ['devices/thermostat-2/commands/setpoint', false],
      ['devices/thermostat-1/telemetry/extra', false],
      ['devices/thermostat-1', false],
      ['$SYS/broker', false],
      ['other', false],
    ])('may not publish %s (retain %s)', (topic, retain) => {
      expect(sut.mayPublish(topic, { retain })).toBe(false);
    });

    it.each([
      'devices/thermostat-1/commands/#',
      'devices/thermostat-1/commands/+',
      'devices/thermostat-1/commands/setpoint',
    ])('may subscribe to %s', (filter) => {
      expect(sut.maySubscribe(filter)).toBe(true);
    });

    it.each([
      '#',
      '+/#',
      'devices/#',
      'devices/+/commands/#',
      'devices/thermostat-1/#',
      'devices/thermostat-2/commands/#',
      'devices/thermostat-1/telemetry',
      '$SYS/#',
      '$share/g/devices/thermostat-1/commands/#',
      'devices/thermostat-1/commands/#/x',
    ])('may not subscribe to %s', (filter) => {
      expect(sut.maySubscribe(filter)).toBe(false);
    });

    it('receives only its own commands', () => {
      expect(sut.mayReceive('devices/thermostat-1/commands/mode')).toBe(true);
      expect(sut.mayReceive('devices/thermostat-2/commands/mode')).toBe(false);
      expect(sut.mayReceive('devices/thermostat-1/telemetry')).toBe(false);
    });
  });

  describe('devices:control', () => {
    const sut = TopicAcl.fromScope('devices:control:thermostat-*', 'hub-1');

    it('may command every device of the group, but never forge an acknowledgement nor retain a command', () => {
      expect(sut.mayPublish('devices/thermostat-1/commands/setpoint', { retain: false })).toBe(true);
      expect(sut.mayPublish('devices/thermostat-kitchen/commands/mode', { retain: false })).toBe(true);
      expect(sut.mayPublish('devices/thermostat-1/commands/heater/on', { retain: false })).toBe(true);
      expect(sut.mayPublish('devices/thermostat-1/commands/ack', { retain: false })).toBe(false);
      expect(sut.mayPublish('devices/thermostat-1/commands/ack/x', { retain: false })).toBe(false);
      expect(sut.mayPublish('devices/thermostat-1/commands', { retain: false })).toBe(false);
      expect(sut.mayPublish('devices/thermostat-1/commands/setpoint', { retain: true })).toBe(false);
      expect(sut.mayPublish('devices/lock-1/commands/open', { retain: false })).toBe(false);
      expect(sut.mayPublish('devices/thermostat-1/telemetry', { retain: false })).toBe(false);
      expect(sut.mayPublish('devices/hub-1/telemetry', { retain: false })).toBe(false);
    });

    it('may watch the replies of the group, not its commands', () => {
      expect(sut.maySubscribe('devices/thermostat-1/telemetry')).toBe(true);
      expect(sut.maySubscribe('devices/thermostat-1/state')).toBe(true);
      expect(sut.maySubscribe('devices/thermostat-1/commands/ack')).toBe(true);
      expect(sut.maySubscribe('devices/thermostat-1/commands/#')).toBe(false);
      expect(sut.maySubscribe('devices/thermostat-1/#')).toBe(false);
      expect(sut.maySubscribe('devices/+/telemetry')).toBe(false);
      expect(sut.maySubscribe('devices/lock-1/telemetry')).toBe(false);
    });
  });

  describe('patterns', () => {
    it('an exact device id grants that device only', () => {
      const sut = TopicAcl.fromScope('devices:control:thermostat-1', 'hub-1');
      expect(sut.mayPublish('devices/thermostat-1/commands/setpoint', { retain: false })).toBe(true);
      expect(sut.mayPublish('devices/thermostat-10/commands/setpoint', { retain: false })).toBe(false);
    });

    it('a lone * grants every device, so wildcard dashboards work', () => {
      const sut = TopicAcl.fromScope('devices:read:*', 'dashboard');
      expect(sut.maySubscribe('devices/+/telemetry')).toBe(true);
      expect(sut.maySubscribe('devices/+/state')).toBe(true);
      expect(sut.maySubscribe('devices/+/+')).toBe(false);
      expect(sut.maySubscribe('devices/#')).toBe(false);
      expect(sut.mayPublish('devices/t1/commands/setpoint', { retain: false })).toBe(false);
    });

    it('read grants no publish at all', () => {
      const sut = TopicAcl.fromScope('devices:read:thermostat-*', 'dashboard');
      expect(sut.mayPublish('devices/thermostat-1/commands/setpoint', { retain: false })).toBe(false);
      expect(sut.mayReceive('devices/thermostat-1/state')).toBe(true);
      expect(sut.mayReceive('devices/thermostat-1/commands/setpoint')).toBe(false);
    });

    it.each([
      'devices:control:',
      'devices:control:a/b',
      'devices:control:+',
      'devices:control:#',
      'devices:control:a*b',
      'devices:write:*',
      'admin',
      'contacts:read',
      'devices:control:**',
    ])('ignores the malformed or foreign scope %j', (scope) => {
      expect(TopicAcl.fromScope(scope, 'x').isEmpty).toBe(true);
    });

    it('is empty without a scope', () => {
      expect(TopicAcl.fromScope(undefined, 'x').isEmpty).toBe(true);
    });

    it('describes its grants in filter syntax', () => {
      expect(TopicAcl.fromScope('device devices:read:t-*', 'h').describe()).toEqual({
        publish: ['devices/h/telemetry', 'devices/h/state (retain)', 'devices/h/commands/ack'],
        subscribe: ['devices/h/commands/#', 'devices/t-*/telemetry', 'devices/t-*/state', 'devices/t-*/commands/ack'],
      });
    });
  });

  it('gives each device its own topics although every device-scope ACL shares its grants', () => {
    const first = TopicAcl.fromScope('device', 'thermostat-1');
    const second = TopicAcl.fromScope('device', 'thermostat-2');
    expect(first.mayPublish('devices/thermostat-1/telemetry', { retain: false })).toBe(true);
    expect(first.mayPublish('devices/thermostat-2/telemetry', { retain: false })).toBe(false);
    expect(second.mayPublish('devices/thermostat-2/telemetry', { retain: false })).toBe(true);
    expect(second.mayPublish('devices/thermostat-1/telemetry', { retain: false })).toBe(false);
    expect(second.maySubscribe('devices/thermostat-1/commands/#')).toBe(false);
    expect(second.mayReceive('devices/thermostat-1/commands/setpoint')).toBe(false);
    expect(second.mayReceive('devices/thermostat-2/commands/setpoint')).toBe(true);
    expect(first.describe().subscribe).toEqual(['devices/thermostat-1/commands/#']);
  });
});
