import { heaterShouldRun, RoomModel } from './room-model.js';

describe(RoomModel.name, () => {
  it('cools toward the outside temperature without heating, never past it', () => {
    const sut = new RoomModel(20, 5);
    const after = [1, 2, 3].map(() => sut.step(3600, false));
    expect(after[0]).toBeLessThan(20);
    expect(after[2]).toBeLessThan(after[1]);
    expect(sut.step(10 * 24 * 3600, false)).toBeCloseTo(5, 3);
  });

  it('warms with the heater toward outside + 24 °C', () => {
    const sut = new RoomModel(18, 5);
    expect(sut.step(600, true)).toBeGreaterThan(18);
    expect(sut.step(10 * 24 * 3600, true)).toBeCloseTo(29, 3);
  });

  it('gives the same result in one long step or many short ones', () => {
    const coarse = new RoomModel(18, 5);
    const fine = new RoomModel(18, 5);
    coarse.step(3600, true);
    for (let i = 0; i < 3600; i++) fine.step(1, true);
    expect(fine.temperature).toBeCloseTo(coarse.temperature, 9);
  });
});

describe(heaterShouldRun.name, () => {
  it.each([
    [18, 21, 'heat', false, true],
    [20.7, 21, 'heat', false, true],
    [20.8, 21, 'heat', false, false],
    [20.8, 21, 'heat', true, true],
    [21.29, 21, 'heat', true, true],
    [21.3, 21, 'heat', true, false],
    [10, 21, 'off', true, false],
  ] as const)('at %s °C, setpoint %s, mode %s, running %s: %s', (temperature, setpoint, mode, running, expected) => {
    expect(heaterShouldRun(temperature, setpoint, mode, running)).toBe(expected);
  });
});
