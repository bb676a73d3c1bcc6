import { HeatingSchedule } from './heating-schedule.js';

const at = (hhmm: string) => new Date(`2030-01-15T${hhmm}:00Z`);

describe(HeatingSchedule.name, () => {
  const sut = HeatingSchedule.parse('22:00=off, 06:30=21,08:00=17.5,18:00=21', 'UTC');

  it.each([
    ['06:29', { mode: 'off' }],
    ['06:30', { mode: 'heat', setpoint: 21 }],
    ['07:59', { mode: 'heat', setpoint: 21 }],
    ['08:00', { mode: 'heat', setpoint: 17.5 }],
    ['21:59', { mode: 'heat', setpoint: 21 }],
    ['22:00', { mode: 'off' }],
    ['00:00', { mode: 'off' }],
  ])('at %s the target is %j', (time, target) => {
    expect(sut.targetAt(at(time))).toEqual(target);
  });

  it('holds a single entry all day', () => {
    expect(HeatingSchedule.parse('12:00=19', 'UTC').targetAt(at('03:00'))).toEqual({ mode: 'heat', setpoint: 19 });
  });

  it('reads the time of day in the configured time zone', () => {
    const paris = HeatingSchedule.parse('06:30=21,22:00=17', 'Europe/Paris');
    expect(paris.targetAt(at('05:45'))).toEqual({ mode: 'heat', setpoint: 21 });
    expect(paris.targetAt(at('05:15'))).toEqual({ mode: 'heat', setpoint: 17 });
  });

  it.each([
    ['', /is not HH:MM/],
    ['6:30=21', /is not HH:MM/],
    ['24:00=21', /is not HH:MM/],
    ['06:30=hot', /is not HH:MM/],
    ['06:30=21,06:30=22', /appears twice/],
    ['06:30=45', /outside 5–30/],
    ['06:30=2', /outside 5–30/],
  ])('refuses %j', (text, message) => {
    expect(() => HeatingSchedule.parse(text)).toThrow(message);
  });

  it('refuses an unknown time zone', () => {
    expect(() => HeatingSchedule.parse('06:30=21', 'Mars/Olympus')).toThrow(RangeError);
  });
});
