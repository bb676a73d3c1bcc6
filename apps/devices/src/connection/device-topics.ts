/** The topic tree the broker authorises (apps/iot-broker): everything about device `id` lives under `devices/{id}/`. */
export function deviceTopics(id: string) {
  return {
    telemetry: `devices/${id}/telemetry`,
    /** Retained: the last known state of the device. */
    state: `devices/${id}/state`,
    /** What the device subscribes to (it ignores its own acknowledgements coming back). */
    commands: `devices/${id}/commands/#`,
    command: (name: string) => `devices/${id}/commands/${name}`,
    ack: `devices/${id}/commands/ack`,
  };
}

/** The last level of a command topic (`setpoint` in `devices/t1/commands/setpoint`). */
export function commandName(topic: string): string {
  return topic.slice(topic.lastIndexOf('/') + 1);
}
