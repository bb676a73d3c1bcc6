import { eventually } from '../../../../test/support/eventually.js';
import { FaultProxy } from '../../../../test/support/fault-proxy.js';
import { memoryLogger } from '../../../../test/support/memory-logger.js';
import { RedisConnections } from './redis-connections.js';

describe.runIf(process.env.TEST_REDIS_URL)(RedisConnections.name, () => {
  let proxy: FaultProxy;
  let sut: RedisConnections;
  let log: ReturnType<typeof memoryLogger>;
  const options = { purpose: 'the test', fallback: 'Nothing is shared' };

  beforeEach(async () => {
    proxy = await FaultProxy.start(process.env.TEST_REDIS_URL!);
    log = memoryLogger('redis');
  });
  afterEach(async () => {
    await sut.close();
    await proxy.close();
  });

  it('fails commands at once while Redis refuses connections, and warns once naming REDIS_URL without its password', async () => {
    await proxy.refuse();
    const url = new URL(proxy.urlFor(process.env.TEST_REDIS_URL!));
    url.password = 'hunter2-do-not-log';
    sut = new RedisConnections(url.toString(), { ...options, logger: log.logger });
    const connection = sut.commands();
    expect(await connection.readyWithin(500)).toBe(false);
    await expect(connection.ping()).rejects.toThrow(/enableOfflineQueue/);
    // Several reconnection attempts fail meanwhile; one line says so.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const warnings = log.logs.filter((line) => line.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].msg).toContain(`Redis at redis://:***@127.0.0.1:${proxy.port}`);
    expect(warnings[0].msg).toContain('(REDIS_URL) is unreachable for the test');
    expect(JSON.stringify(log.logs)).not.toContain('hunter2');
  });

  it('after a command gets no answer, fails the next ones at once until Redis answers again (a breaker)', async () => {
    sut = new RedisConnections(proxy.urlFor(process.env.TEST_REDIS_URL!), {
      ...options,
      logger: log.logger,
      commandTimeoutMs: 300,
    });
    const connection = sut.commands();
    expect(await connection.readyWithin(5_000)).toBe(true);

    await proxy.silence();
    await expect(connection.ping()).rejects.toThrow('Command timed out');
    expect(connection.ready).toBe(false);
    // The reconnection's ready check gets no answer either: every command meanwhile fails at once.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await expect(connection.ping()).rejects.toThrow(/enableOfflineQueue/);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(log.logs.filter((line) => line.level === 40).map((line) => line.msg)).toEqual([
      expect.stringContaining('no answer within 300 ms'),
    ]);

    await proxy.forward();
    await eventually(() => expect(connection.ready).toBe(true), 10_000);
    expect(await connection.ping()).toBe('PONG');
    expect(log.logs.filter((line) => line.level === 30).map((line) => line.msg)).toEqual([
      expect.stringContaining('answers again for the test'),
    ]);
  });

  it('keeps a subscriber’s subscriptions across an outage', async () => {
    sut = new RedisConnections(proxy.urlFor(process.env.TEST_REDIS_URL!), { ...options, logger: log.logger });
    const channel = `tollgate:test:${crypto.randomUUID()}`;
    const subscriber = sut.subscriber();
    const received: string[] = [];
    subscriber.on('message', (_channel: string, message: string) => received.push(message));
    await subscriber.subscribe(channel);
    const publisher = new RedisConnections(process.env.TEST_REDIS_URL!, { ...options, logger: log.logger });
    try {
      const direct = publisher.commands();
      await direct.readyWithin(5_000);
      await proxy.refuse();
      await proxy.forward();
      await eventually(
        async () => {
          await direct.publish(channel, 'after the outage');
          expect(received).toContain('after the outage');
        },
        10_000,
        200,
      );
    } finally {
      await publisher.close();
    }
  });

  it('becomes ready when a SUBSCRIBE goes out between the connection and its ready check (a broker under load)', async () => {
    sut = new RedisConnections(proxy.urlFor(process.env.TEST_REDIS_URL!), { ...options, logger: log.logger });
    const channel = `tollgate:test:${crypto.randomUUID()}`;
    const subscriber = sut.subscriber();
    // ioredis writes SUBSCRIBE at once once the socket is connected, before the ready check's INFO,
    // which Redis then refuses on a subscribed connection: what mqemitter-redis did to a busy broker.
    subscriber.on('connect', () => void subscriber.subscribe(channel).catch(() => undefined));
    expect(await subscriber.readyWithin(5_000)).toBe(true);
    expect(JSON.stringify(log.logs)).not.toContain('unreachable');

    const received: string[] = [];
    subscriber.on('message', (_channel: string, message: string) => received.push(message));
    const publisher = new RedisConnections(process.env.TEST_REDIS_URL!, { ...options, logger: log.logger });
    try {
      const direct = publisher.commands();
      await direct.readyWithin(5_000);
      await eventually(
        async () => {
          await direct.publish(channel, 'delivered');
          expect(received).toContain('delivered');
        },
        5_000,
        100,
      );
    } finally {
      await publisher.close();
    }
  });
});
