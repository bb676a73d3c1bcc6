import { Metrics } from '@tollgate/platform';
import { ConnackCode, ConnectRefusal } from '../auth/device-authenticator.js';
import type { BrokerSessions } from '../sessions/broker-sessions.js';
import { BrokerMetrics } from './broker-metrics.js';

function sample(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((l) => l.startsWith(series));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

function messagesTotal(exposition: string, direction: 'in' | 'out'): number | undefined {
  return sample(exposition, `tollgate_mqtt_messages_total{direction="${direction}"`);
}

describe(BrokerMetrics.name, () => {
  it('reports the messages counted since the start, each counted once however often it is scraped', async () => {
    const metrics = new Metrics('iot-broker');
    const broker = new BrokerMetrics(metrics, { size: 0 } as BrokerSessions);
    broker.published();
    broker.published();
    broker.delivered();

    let { body } = await metrics.exposition();
    expect([messagesTotal(body, 'in'), messagesTotal(body, 'out')]).toEqual([2, 1]);

    ({ body } = await metrics.exposition());
    expect([messagesTotal(body, 'in'), messagesTotal(body, 'out')]).toEqual([2, 1]);

    broker.delivered();
    broker.delivered();
    ({ body } = await metrics.exposition());
    expect([messagesTotal(body, 'in'), messagesTotal(body, 'out')]).toEqual([2, 3]);
  });

  it('counts accepted CONNECTs once each, beside the refusals by reason', async () => {
    const metrics = new Metrics('iot-broker');
    const broker = new BrokerMetrics(metrics, { size: 0 } as BrokerSessions);
    broker.accepted();
    broker.refused(new ConnectRefusal(ConnackCode.BadUsernameOrPassword, 'expired', 'The token has expired'));
    broker.accepted();
    broker.accepted();

    for (let scrape = 0; scrape < 2; scrape++) {
      const { body } = await metrics.exposition();
      expect(sample(body, 'tollgate_mqtt_connects_total{outcome="accepted",reason=""')).toBe(3);
      expect(sample(body, 'tollgate_mqtt_connects_total{outcome="refused",reason="expired"')).toBe(1);
    }
  });
});
