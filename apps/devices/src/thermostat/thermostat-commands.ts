import { MAX_SETPOINT, MIN_SETPOINT } from '../hub/heating-schedule.js';

export type HeatingMode = 'heat' | 'off';

export type ThermostatCommand =
  | { name: 'setpoint'; id: string; setpoint: number; expiresAt?: Date }
  | { name: 'mode'; id: string; mode: HeatingMode; expiresAt?: Date };

/** A command the thermostat cannot apply, and why (sent back in the acknowledgement). */
export interface CommandRejection {
  id?: string;
  name: string;
  reason: 'malformed' | 'unknown_command' | 'out_of_range' | 'expired';
  detail: string;
}

export const COMMAND_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Parses and validates a command sent on `devices/{id}/commands/<name>` (JSON: `id`, `setpoint` or `mode`, optional ISO 8601 `expiresAt`); never throws. */
export function parseCommand(name: string, payload: Buffer, now: Date): ThermostatCommand | CommandRejection {
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    return { name, reason: 'malformed', detail: 'the payload is not JSON' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { name, reason: 'malformed', detail: 'the payload is not a JSON object' };
  const { id, setpoint, mode, expiresAt } = body as Record<string, unknown>;
  if (typeof id !== 'string' || !COMMAND_ID.test(id))
    return { name, reason: 'malformed', detail: 'id must be 1–64 characters of letters, digits, . _ : -' };
  let expiry: Date | undefined;
  if (expiresAt !== undefined) {
    expiry = typeof expiresAt === 'string' ? new Date(expiresAt) : new Date(Number.NaN);
    if (Number.isNaN(expiry.getTime()))
      return { id, name, reason: 'malformed', detail: 'expiresAt must be an ISO 8601 time' };
    if (expiry.getTime() <= now.getTime())
      return { id, name, reason: 'expired', detail: `the command expired at ${expiry.toISOString()}` };
  }
  switch (name) {
    case 'setpoint':
      if (typeof setpoint !== 'number' || !Number.isFinite(setpoint))
        return { id, name, reason: 'malformed', detail: 'setpoint must be a number (°C)' };
      if (setpoint < MIN_SETPOINT || setpoint > MAX_SETPOINT)
        return {
          id,
          name,
          reason: 'out_of_range',
          detail: `setpoint must be between ${MIN_SETPOINT} and ${MAX_SETPOINT} °C`,
        };
      return { name, id, setpoint, expiresAt: expiry };
    case 'mode':
      if (mode !== 'heat' && mode !== 'off')
        return { id, name, reason: 'malformed', detail: 'mode must be "heat" or "off"' };
      return { name, id, mode, expiresAt: expiry };
    default:
      return {
        id,
        name,
        reason: 'unknown_command',
        detail: `this thermostat knows setpoint and mode, not ${name.slice(0, 32)}`,
      };
  }
}

export function isRejection(result: ThermostatCommand | CommandRejection): result is CommandRejection {
  return 'reason' in result;
}
