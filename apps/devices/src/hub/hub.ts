import type { Logger } from '@tollgate/platform';
import { randomUUID } from 'node:crypto';
import type { HubSettings } from '../config/devices.config.js';
import type { Publisher } from '../connection/broker-connection.js';
import { deviceTopics } from '../connection/device-topics.js';
import type { HeatingMode } from '../thermostat/thermostat-commands.js';
import { describeTarget, type HeatingTarget } from './heating-schedule.js';

interface ThermostatReport {
  setpoint?: number;
  mode?: HeatingMode;
  temperature?: number;
  heating?: boolean;
  seenAt?: string;
}

interface PendingCommand {
  id: string;
  name: 'setpoint' | 'mode';
  value: number | HeatingMode;
  sentAt: number;
}

export interface HubStatus {
  thermostatId: string;
  target: HeatingTarget;
  thermostat: ThermostatReport;
  pendingCommand?: { id: string; name: string; value: number | string };
}

/**
 * The home hub: holds the user's schedule and keeps the thermostat on it. It watches the
 * thermostat's state, telemetry and acknowledgements, and sends one command at a time (QoS 1,
 * with an id and an expiry), sending again when no acknowledgement comes back in time. A command
 * the thermostat rejected is not repeated until the target changes.
 */
export class Hub {
  private readonly thermostat: ReturnType<typeof deviceTopics>;
  private reported: ThermostatReport = {};
  private pending?: PendingCommand;
  private refusedChange?: string;
  private timer?: NodeJS.Timeout;

  constructor(
    readonly clientId: string,
    private readonly settings: HubSettings,
    private readonly publisher: Publisher,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.thermostat = deviceTopics(settings.thermostatId);
  }

  /** What its session subscribes to: the thermostat's replies, never its commands. */
  static subscriptions(thermostatId: string): string[] {
    const thermostat = deviceTopics(thermostatId);
    return [thermostat.telemetry, thermostat.state, thermostat.ack];
  }

  start(): void {
    this.timer = setInterval(() => void this.reconcile(), this.settings.reconcileIntervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  status(): HubStatus {
    const pending = this.pending && { id: this.pending.id, name: this.pending.name, value: this.pending.value };
    return {
      thermostatId: this.settings.thermostatId,
      target: this.target(),
      thermostat: { ...this.reported },
      pendingCommand: pending,
    };
  }

  onConnect(): void {
    void this.reconcile();
  }

  handleMessage(topic: string, payload: Buffer): void {
    let message: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(payload.toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      message = parsed as Record<string, unknown>;
    } catch {
      this.logger.warn({ topic }, 'ignored a message that is not a JSON object');
      return;
    }
    if (topic === this.thermostat.ack) return this.onAck(message);
    if (topic === this.thermostat.telemetry) {
      this.remember(message);
      const { temperature, setpoint, heating } = this.reported;
      this.logger.info(
        { thermostatId: this.settings.thermostatId, temperature, setpoint, heating },
        `telemetry from ${this.settings.thermostatId}: ${temperature} °C, setpoint ${setpoint} °C, heater ${heating ? 'on' : 'off'} (target ${describeTarget(this.target())})`,
      );
    } else if (topic === this.thermostat.state) {
      this.remember(message);
      const { setpoint, mode, heating } = this.reported;
      const summary =
        message.online === false
          ? 'offline'
          : `setpoint ${setpoint} °C, mode ${mode}, heater ${heating ? 'on' : 'off'}`;
      this.logger.info(
        { thermostatId: this.settings.thermostatId, online: message.online !== false, ...this.reported },
        `state of ${this.settings.thermostatId}: ${summary}`,
      );
    }
    void this.reconcile();
  }

  private onAck(ack: Record<string, unknown>): void {
    const pending = this.pending;
    const matches = pending !== undefined && ack.id === pending.id;
    this.logger.info(
      { id: ack.id, status: ack.status, reason: ack.reason, expected: matches },
      `ack from ${this.settings.thermostatId}: ${String(ack.id)} ${String(ack.status)}`,
    );
    if (!matches) return;
    this.pending = undefined;
    if (typeof ack.state === 'object' && ack.state !== null) this.remember(ack.state as Record<string, unknown>);
    if (ack.status === 'rejected') {
      this.refusedChange = `${pending.name}=${pending.value}`;
      this.logger.warn(
        { id: pending.id, reason: ack.reason, detail: ack.detail },
        `the thermostat rejected ${pending.name} ${pending.value}; not retrying until the target changes`,
      );
    }
    void this.reconcile();
  }

  private remember(message: Record<string, unknown>): void {
    if (typeof message.setpoint === 'number') this.reported.setpoint = message.setpoint;
    if (message.mode === 'heat' || message.mode === 'off') this.reported.mode = message.mode;
    if (typeof message.temperature === 'number') this.reported.temperature = message.temperature;
    if (typeof message.heating === 'boolean') this.reported.heating = message.heating;
    this.reported.seenAt = new Date(this.now()).toISOString();
  }

  private target(): HeatingTarget {
    return this.settings.schedule.targetAt(new Date(this.now()));
  }

  /** Sends the next command that brings the thermostat to the current target, if any is due. */
  private async reconcile(): Promise<void> {
    if (!this.publisher.connected) return;
    if (this.pending) {
      const waited = this.now() - this.pending.sentAt;
      if (waited < this.settings.ackTimeoutMs) return;
      this.logger.warn(
        { id: this.pending.id, waitedMs: waited },
        `no ack for ${this.pending.name} ${this.pending.value}; sending it again`,
      );
      this.pending = undefined;
    }
    const target = this.target();
    const change: Pick<PendingCommand, 'name' | 'value'> | undefined =
      this.reported.mode !== target.mode
        ? { name: 'mode', value: target.mode }
        : target.mode === 'heat' && this.reported.setpoint !== target.setpoint
          ? { name: 'setpoint', value: target.setpoint }
          : undefined;
    if (!change || this.refusedChange === `${change.name}=${change.value}`) return;

    const command: PendingCommand = { id: randomUUID(), ...change, sentAt: this.now() };
    this.pending = command;
    const expiresAt = new Date(command.sentAt + this.settings.commandTtlSeconds * 1000).toISOString();
    const sent = await this.publisher.publish(
      this.thermostat.command(command.name),
      { id: command.id, [command.name]: command.value, expiresAt },
      { qos: 1 },
    );
    if (!sent) {
      if (this.pending === command) this.pending = undefined;
      return;
    }
    this.logger.info(
      { id: command.id, command: command.name, value: command.value, thermostatId: this.settings.thermostatId },
      `command sent: ${command.name} ${command.value}${command.name === 'setpoint' ? ' °C' : ''} to ${this.settings.thermostatId} (target ${describeTarget(target)})`,
    );
  }
}
