import { isRejection, parseCommand } from './thermostat-commands.js';

const now = new Date('2030-01-01T12:00:00Z');
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe(parseCommand.name, () => {
  it('reads a setpoint and a mode command', () => {
    expect(parseCommand('setpoint', json({ id: 'c1', setpoint: 21.5 }), now)).toEqual({
      name: 'setpoint',
      id: 'c1',
      setpoint: 21.5,
      expiresAt: undefined,
    });
    expect(parseCommand('mode', json({ id: 'c2', mode: 'off', expiresAt: '2030-01-01T12:10:00Z' }), now)).toEqual({
      name: 'mode',
      id: 'c2',
      mode: 'off',
      expiresAt: new Date('2030-01-01T12:10:00Z'),
    });
  });

  it.each([
    ['setpoint', Buffer.from('not json'), { reason: 'malformed' }],
    ['setpoint', json([1]), { reason: 'malformed' }],
    ['setpoint', json({ setpoint: 20 }), { reason: 'malformed' }],
    ['setpoint', json({ id: 'a/b', setpoint: 20 }), { reason: 'malformed' }],
    ['setpoint', json({ id: 'c', setpoint: '20' }), { id: 'c', reason: 'malformed' }],
    ['setpoint', json({ id: 'c', setpoint: 31 }), { id: 'c', reason: 'out_of_range' }],
    ['setpoint', json({ id: 'c', setpoint: 4.9 }), { id: 'c', reason: 'out_of_range' }],
    ['mode', json({ id: 'c', mode: 'cool' }), { id: 'c', reason: 'malformed' }],
    ['mode', json({ id: 'c', mode: 'heat', expiresAt: '2030-01-01T11:59:59Z' }), { id: 'c', reason: 'expired' }],
    ['mode', json({ id: 'c', mode: 'heat', expiresAt: 'tomorrow' }), { id: 'c', reason: 'malformed' }],
    ['reboot', json({ id: 'c' }), { id: 'c', reason: 'unknown_command' }],
  ])('rejects %s %s', (name, payload, rejection) => {
    const result = parseCommand(name, payload, now);
    expect(isRejection(result)).toBe(true);
    expect(result).toMatchObject({ name, ...rejection });
  });
});
