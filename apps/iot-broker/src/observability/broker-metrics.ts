import type { Metrics } from '@tollgate/platform';
import type { ConnectRefusal } from '../auth/device-authenticator.js';
import type { BrokerSessions } from '../sessions/broker-sessions.js';

/**
 * The broker as Prometheus series: sessions open, CONNECTs accepted and refused (by reason:
 * `certificate_mismatch`, `expired`, `subject_mismatch`, …), publishes and subscriptions the ACL
 * refused, and messages in (published by clients) and out (delivered to subscribers). No client id
 * is a label: a fleet would make one series per device.
 */
export class BrokerMetrics {
  private readonly connects;
  // Children bound to their labels once: denials skip label hashing.
  private readonly publishDenials;
  private readonly subscribeDenials;
  /**
   * What happened since the last scrape on the hot paths (every CONNECT, publish and delivery):
   * plain numbers, handed to their counters when the registry collects them (prom-client's `collect`).
   * So, as for the sessions gauge, one BrokerMetrics per registry: a second one's counts would not be collected.
   */
  private readonly pending = { accepted: 0, messagesIn: 0, messagesOut: 0 };

  constructor(metrics: Metrics, sessions: BrokerSessions) {
    const pending = this.pending;
    metrics.gauge({
      name: 'tollgate_mqtt_sessions',
      help: 'Authenticated MQTT sessions open on this broker',
      collect() {
        this.set(sessions.size);
      },
    });
    this.connects = metrics.counter({
      name: 'tollgate_mqtt_connects_total',
      help: 'MQTT CONNECTs, by outcome (accepted, refused) and refusal reason',
      labelNames: ['outcome', 'reason'],
      collect() {
        this.inc({ outcome: 'accepted', reason: '' }, pending.accepted);
        pending.accepted = 0;
      },
    });
    const aclDenials = metrics.counter({
      name: 'tollgate_mqtt_acl_denials_total',
      help: 'Publishes and subscriptions refused by the session’s ACL (its token’s scopes)',
      labelNames: ['action'],
    });
    this.publishDenials = aclDenials.labels({ action: 'publish' });
    this.subscribeDenials = aclDenials.labels({ action: 'subscribe' });
    metrics.counter({
      name: 'tollgate_mqtt_messages_total',
      help: 'Messages published by clients (in) and delivered to subscribers (out)',
      labelNames: ['direction'],
      collect() {
        this.inc({ direction: 'in' }, pending.messagesIn);
        this.inc({ direction: 'out' }, pending.messagesOut);
        pending.messagesIn = pending.messagesOut = 0;
      },
    });
  }

  accepted(): void {
    this.pending.accepted++;
  }

  refused(refusal: ConnectRefusal): void {
    this.connects.inc({ outcome: 'refused', reason: refusal.reason });
  }

  denied(action: 'publish' | 'subscribe'): void {
    (action === 'publish' ? this.publishDenials : this.subscribeDenials).inc();
  }

  published(): void {
    this.pending.messagesIn++;
  }

  delivered(): void {
    this.pending.messagesOut++;
  }
}
