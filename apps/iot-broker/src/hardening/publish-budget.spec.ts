import type { Client } from 'aedes';
import { memoryLogger } from '../../../../test/support/memory-logger.js';
import type { ClientKind } from '../sessions/device-session.js';
import { PublishBudgets } from './publish-budget.js';

describe(PublishBudgets.name, () => {
  const device = { clientId: 'thermostat-1', kind: 'device' as const };
  const rates = {
    device: { messagesPerSecond: 4, bytesPerSecond: 4096 },
    service: { messagesPerSecond: 100, bytesPerSecond: 65_536 },
  };
  let logs: ReturnType<typeof memoryLogger>['logs'];
  let sut: PublishBudgets;

  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
    const memory = memoryLogger('iot-broker');
    logs = memory.logs;
    sut = new PublishBudgets(rates, memory.logger);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const client = () => ({ id: 'thermostat-1', closed: false }) as { id: string; closed: boolean } & Client;

  /** Admits `count` publishes of `bytes` each; returns the indexes released so far, in release order. */
  function publish(
    on: Client,
    count: number,
    bytes = 10,
    who: { clientId: string; kind: ClientKind } = device,
  ): number[] {
    const released: number[] = [];
    for (let i = 0; i < count; i++) sut.admit(on, who, bytes, () => released.push(i));
    return released;
  }

  it("lets a second's worth through at once, then the rest at the message rate, in order", async () => {
    const released = publish(client(), 10);
    expect(released).toEqual([0, 1, 2, 3]);
    await vi.advanceTimersByTimeAsync(250);
    expect(released).toEqual([0, 1, 2, 3, 4]);
    await vi.advanceTimersByTimeAsync(1250);
    expect(released).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(sut.stats()).toEqual({ delayedPublishes: 6, episodes: 1 });
  });

  it('holds publishes once the byte budget is spent, and makes a message larger than the budget pay for itself', async () => {
    const on = client();
    const released = publish(on, 2, 3000);
    expect(released).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(released).toEqual([0, 1]);
    const large: string[] = [];
    await vi.advanceTimersByTimeAsync(1000);
    sut.admit(on, device, 10_000, () => large.push('large'));
    sut.admit(on, device, 10, () => large.push('small'));
    expect(large).toEqual(['large']);
    await vi.advanceTimersByTimeAsync(1400);
    expect(large).toEqual(['large']);
    await vi.advanceTimersByTimeAsync(100);
    expect(large).toEqual(['large', 'small']);
  });

  it('logs once per episode: again only after the connection has kept to its budget long enough to refill it', async () => {
    const on = client();
    publish(on, 20);
    await vi.advanceTimersByTimeAsync(2000);
    publish(on, 20);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(logs.filter((line) => line.msg.startsWith('publish budget exceeded'))).toEqual([
      expect.objectContaining({ clientId: 'thermostat-1', kind: 'device', messagesPerSecond: 4, bytesPerSecond: 4096 }),
    ]);
    publish(on, 20);
    expect(sut.stats()).toEqual({ delayedPublishes: 16 + 20 + 16, episodes: 2 });
  });

  it('keeps a budget per connection and per client kind', () => {
    expect(publish(client(), 6)).toHaveLength(4);
    expect(publish(client(), 6)).toHaveLength(4);
    expect(publish(client(), 50, 10, { clientId: 'hub-1', kind: 'service' })).toHaveLength(50);
  });

  it('drops what a connection had waiting when it closes, and never holds a will', async () => {
    const on = client();
    const released = publish(on, 6);
    on.closed = true;
    await vi.advanceTimersByTimeAsync(5000);
    expect(released).toEqual([0, 1, 2, 3]);
    expect(publish(on, 3)).toEqual([0, 1, 2]);
  });
});
