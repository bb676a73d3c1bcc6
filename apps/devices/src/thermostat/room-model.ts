/** Share of the indoor–outdoor difference a room loses per hour (Newton's law of cooling). */
export const HEAT_LOSS_PER_HOUR = 0.5;
/** How fast the heater alone warms the room, in °C per hour. */
export const HEATER_DEGREES_PER_HOUR = 12;
/** The heater switches on this far below the setpoint and off this far above it, so it does not chatter. */
export const HYSTERESIS = 0.3;

const k = HEAT_LOSS_PER_HOUR / 3600;
const heaterPerSecond = HEATER_DEGREES_PER_HOUR / 3600;

/**
 * A room with a heater: the temperature relaxes toward the outside temperature, or toward
 * `outside + power/k` while the heater runs. Stepped with the exact solution, so any step length
 * is stable (a test can simulate an hour per tick).
 */
export class RoomModel {
  constructor(
    public temperature: number,
    readonly outsideTemperature: number,
  ) {}

  step(seconds: number, heating: boolean): number {
    const equilibrium = this.outsideTemperature + (heating ? heaterPerSecond / k : 0);
    this.temperature = equilibrium + (this.temperature - equilibrium) * Math.exp(-k * seconds);
    return this.temperature;
  }
}

/** Bang-bang control with hysteresis: whether the heater should run now. */
export function heaterShouldRun(
  temperature: number,
  setpoint: number,
  mode: 'heat' | 'off',
  runningNow: boolean,
): boolean {
  if (mode === 'off') return false;
  if (temperature <= setpoint - HYSTERESIS) return true;
  if (temperature >= setpoint + HYSTERESIS) return false;
  return runningNow;
}
