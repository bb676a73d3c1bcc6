/** What the user wants at some time of day: a target temperature, or heating off. */
export type HeatingTarget = { mode: 'heat'; setpoint: number } | { mode: 'off' };

export interface ScheduleEntry {
  /** Minutes after local midnight. */
  minuteOfDay: number;
  target: HeatingTarget;
}

const ENTRY = /^([01]\d|2[0-3]):([0-5]\d)=(off|-?\d{1,2}(?:\.\d)?)$/;

export const MIN_SETPOINT = 5;
export const MAX_SETPOINT = 30;

/**
 * The user's heating preferences by time of day, e.g. `06:30=21,08:00=17,18:00=21,22:00=off`: each
 * entry holds from its time until the next one, and the last one carries over midnight.
 */
export class HeatingSchedule {
  private constructor(
    readonly entries: readonly ScheduleEntry[],
    private readonly timeZone: string | undefined,
  ) {}

  /** Parses the HUB_SCHEDULE syntax; throws with a message that says what is wrong. */
  static parse(text: string, timeZone?: string): HeatingSchedule {
    const entries: ScheduleEntry[] = [];
    for (const part of text.split(',').map((p) => p.trim())) {
      const match = ENTRY.exec(part);
      if (!match) throw new Error(`"${part}" is not HH:MM=<°C> or HH:MM=off`);
      const [, hours, minutes, value] = match;
      const minuteOfDay = Number(hours) * 60 + Number(minutes);
      if (entries.some((e) => e.minuteOfDay === minuteOfDay)) throw new Error(`${hours}:${minutes} appears twice`);
      if (value === 'off') {
        entries.push({ minuteOfDay, target: { mode: 'off' } });
        continue;
      }
      const setpoint = Number(value);
      if (setpoint < MIN_SETPOINT || setpoint > MAX_SETPOINT)
        throw new Error(`${setpoint} °C at ${hours}:${minutes} is outside ${MIN_SETPOINT}–${MAX_SETPOINT} °C`);
      entries.push({ minuteOfDay, target: { mode: 'heat', setpoint } });
    }
    if (timeZone !== undefined) new Intl.DateTimeFormat('en-GB', { timeZone }); // throws RangeError on an unknown zone
    return new HeatingSchedule(
      entries.sort((a, b) => a.minuteOfDay - b.minuteOfDay),
      timeZone,
    );
  }

  /** The target in force at `time`. */
  targetAt(time: Date): HeatingTarget {
    const minute = this.minuteOfDay(time);
    const current = this.entries.findLast((entry) => entry.minuteOfDay <= minute) ?? this.entries.at(-1)!;
    return current.target;
  }

  private minuteOfDay(time: Date): number {
    const parts = new Intl.DateTimeFormat('en-GB', {
      timeZone: this.timeZone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(time);
    const value = (type: string) => Number(parts.find((part) => part.type === type)!.value);
    return value('hour') * 60 + value('minute');
  }
}

export function describeTarget(target: HeatingTarget): string {
  return target.mode === 'off' ? 'off' : `${target.setpoint} °C`;
}
