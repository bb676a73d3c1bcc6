import type { Logger } from '@tollgate/platform';
import { LRUCache } from 'lru-cache';
import type { ThermostatSettings } from '../config/devices.config.js';
import type { Publisher } from '../connection/broker-connection.js';
import { commandName, deviceTopics } from '../connection/device-topics.js';
import { heaterShouldRun, RoomModel } from './room-model.js';
import { type HeatingMode, isRejection, parseCommand, type ThermostatCommand } from './thermostat-commands.js';

/** What the thermostat publishes on `devices/{id}/commands/ack` for every command it receives. */
export interface CommandAck {
  id: string;
  command: string;
  status: 'applied' | 'rejected';
  reason?: string;
  detail?: string;
  /** True when this id was already applied (QoS 1 delivers at least once). */
  duplicate?: boolean;
  state: { setpoint: number; mode: HeatingMode };
  at: string;
}

export interface ThermostatStatus {
  temperature: number;
  setpoint: number;
  mode: HeatingMode;
  heating: boolean;
}

const round = (value: number) => Math.round(value * 10) / 10;

/**
 * A smart thermostat in a simulated room: it heats toward its setpoint, publishes telemetry
 * every few seconds and its state (retained) on every change, and obeys `setpoint` and `mode`
 * commands, acknowledging each one by id, exactly once per id.
 */
export class Thermostat {
  readonly topics: ReturnType<typeof deviceTopics>;
  private readonly room: RoomModel;
  private setpoint: number;
  private mode: HeatingMode = 'heat';
  private heating = false;
  private readonly applied = new LRUCache<string, true>({ max: 256 });
  private timers: NodeJS.Timeout[] = [];

  constructor(
    readonly clientId: string,
    private readonly settings: ThermostatSettings,
    private readonly publisher: Publisher,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.topics = deviceTopics(clientId);
    this.room = new RoomModel(settings.initialTemperature, settings.outsideTemperature);
    this.setpoint = settings.initialSetpoint;
    this.heating = heaterShouldRun(this.room.temperature, this.setpoint, this.mode, false);
  }

  /** What its session subscribes to. */
  static subscriptions(clientId: string): string[] {
    return [deviceTopics(clientId).commands];
  }

  /** The will: if the thermostat vanishes, its retained state says so. */
  static will(clientId: string) {
    return { topic: deviceTopics(clientId).state, message: { online: false }, retain: true };
  }

  start(): void {
    this.timers = [
      setInterval(() => this.tick(), this.settings.tickMs),
      setInterval(() => void this.sendTelemetry(), this.settings.telemetryIntervalMs),
    ];
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  status(): ThermostatStatus {
    return {
      temperature: round(this.room.temperature),
      setpoint: this.setpoint,
      mode: this.mode,
      heating: this.heating,
    };
  }

  onConnect(): void {
    void this.publishState();
  }

  handleMessage(topic: string, payload: Buffer): void {
    const name = commandName(topic);
    if (name === 'ack') return; // our own acknowledgements, echoed by our commands/# subscription
    const result = parseCommand(name, payload, this.now());
    if (isRejection(result)) {
      this.logger.warn(
        { command: result.name, id: result.id, reason: result.reason },
        `command rejected: ${result.detail}`,
      );
      if (result.id)
        void this.acknowledge({
          id: result.id,
          command: result.name,
          status: 'rejected',
          reason: result.reason,
          detail: result.detail,
        });
      return;
    }
    if (this.applied.has(result.id)) {
      this.logger.info({ command: result.name, id: result.id }, 'command received again; already applied');
      void this.acknowledge({ id: result.id, command: result.name, status: 'applied', duplicate: true });
      return;
    }
    this.apply(result);
    this.applied.set(result.id, true);
    void this.acknowledge({ id: result.id, command: result.name, status: 'applied' });
    void this.publishState();
  }

  private apply(command: ThermostatCommand): void {
    if (command.name === 'setpoint') this.setpoint = command.setpoint;
    else this.mode = command.mode;
    this.heating = heaterShouldRun(this.room.temperature, this.setpoint, this.mode, this.heating);
    const what = command.name === 'setpoint' ? `setpoint ${command.setpoint} °C` : `mode ${command.mode}`;
    this.logger.info({ command: command.name, id: command.id, ...this.status() }, `command applied: ${what}`);
  }

  private tick(): void {
    this.room.step(this.settings.simulatedSecondsPerTick, this.heating);
    const heating = heaterShouldRun(this.room.temperature, this.setpoint, this.mode, this.heating);
    if (heating === this.heating) return;
    this.heating = heating;
    this.logger.info(
      { temperature: round(this.room.temperature), setpoint: this.setpoint },
      `heater ${heating ? 'on' : 'off'}`,
    );
    void this.publishState();
  }

  private async sendTelemetry(): Promise<void> {
    const status = this.status();
    if (await this.publisher.publish(this.topics.telemetry, { ...status, at: this.now().toISOString() }, { qos: 0 })) {
      this.logger.info(
        status,
        `telemetry sent: ${status.temperature} °C, setpoint ${status.setpoint} °C, mode ${status.mode}, heater ${status.heating ? 'on' : 'off'}`,
      );
    }
  }

  private async publishState(): Promise<void> {
    const state = { online: true, ...this.status(), at: this.now().toISOString() };
    if (await this.publisher.publish(this.topics.state, state, { qos: 1, retain: true }))
      this.logger.debug(state, 'state published');
  }

  private async acknowledge(ack: Omit<CommandAck, 'state' | 'at'>): Promise<void> {
    const message: CommandAck = {
      ...ack,
      state: { setpoint: this.setpoint, mode: this.mode },
      at: this.now().toISOString(),
    };
    const sent = await this.publisher.publish(this.topics.ack, message, { qos: 1 });
    this.logger.info(
      { id: ack.id, status: ack.status, sent },
      `ack ${sent ? 'sent' : 'not sent (offline)'}: ${ack.command} ${ack.id} ${ack.status}`,
    );
  }
}
