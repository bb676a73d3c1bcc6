import type { AedesPublishPacket, Client } from 'aedes';
import { Writable } from 'node:stream';
import { memoryLogger } from '../../../../test/support/memory-logger.js';
import { SlowSubscribers } from './slow-subscribers.js';

/** A subscriber whose connection accepts writes but is written out only when `flush()` is called (a peer that stops reading). */
function stalledSubscriber() {
  let pending: Array<() => void> = [];
  const conn = new Writable({ highWaterMark: 1024, write: (_chunk, _encoding, callback) => pending.push(callback) });
  const delivered: string[] = [];
  const client = {
    id: 'dashboard',
    conn,
    // What aedes' deliver0 does: write the packet, call back at once or, when the buffer is full, after a drain.
    deliver0(packet: AedesPublishPacket, callback: () => void) {
      delivered.push(packet.topic);
      if (conn.write(Buffer.alloc(packet.payload.length))) setImmediate(callback);
      else conn.once('drain', callback);
    },
  };
  const flush = async () => {
    while (pending.length > 0) {
      const callbacks = pending;
      pending = [];
      callbacks.forEach((callback) => callback());
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { client: client as unknown as Client & typeof client, delivered, flush };
}

const packet = (payloadBytes: number) =>
  ({
    cmd: 'publish',
    topic: 'devices/thermostat-1/telemetry',
    payload: Buffer.alloc(payloadBytes),
    qos: 0,
    dup: false,
    retain: false,
  }) as AedesPublishPacket;

describe(SlowSubscribers.name, () => {
  it('completes every QoS 0 delivery at once, drops those past the backlog limit, and logs once per episode', async () => {
    const { logger, logs } = memoryLogger('iot-broker');
    const sut = new SlowSubscribers(4096, logger);
    const { client, delivered, flush } = stalledSubscriber();
    sut.watch(client);

    const deliverAll = (count: number) =>
      Promise.all(
        Array.from({ length: count }, () => new Promise<void>((resolve) => client.deliver0(packet(1000), resolve))),
      );
    await deliverAll(10);
    expect(delivered).toHaveLength(5);
    expect(sut.stats()).toEqual({ droppedQos0Messages: 5, episodes: 1 });
    const warnings = () => logs.filter((line) => line.msg.startsWith('subscriber is not reading'));
    expect(warnings()).toEqual([
      expect.objectContaining({ clientId: 'dashboard', backlogBytes: 5000, limitBytes: 4096 }),
    ]);

    await flush();
    await deliverAll(3);
    expect(delivered).toHaveLength(8);
    await deliverAll(10);
    expect(delivered).toHaveLength(10);
    expect(sut.stats()).toEqual({ droppedQos0Messages: 13, episodes: 2 });
    expect(warnings()).toHaveLength(2);
  });
});
