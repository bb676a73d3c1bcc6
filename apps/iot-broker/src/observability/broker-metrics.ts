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
  // Children bound to their labels once: the hot paths (every publish and delivery) skip label hashing.
  private readonly accepts;
  private readonly publishDenials;
  private readonly subscribeDenials;
  private readonly messagesIn;
  private readonly messagesOut;

  constructor(metrics: Metrics, sessions: BrokerSessions) {
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
    });
    this.accepts = this.connects.labels({ outcome: 'accepted', reason: '' });
    const aclDenials = metrics.counter({
      name: 'tollgate_mqtt_acl_denials_total',
      help: 'Publishes and subscriptions refused by the session’s ACL (its token’s scopes)',
      labelNames: ['action'],
    });
    this.publishDenials = aclDenials.labels({ action: 'publish' });
    this.subscribeDenials = aclDenials.labels({ action: 'subscribe' });
    const messages = metrics.counter({
      name: 'tollgate_mqtt_messages_total',
      help: 'Messages published by clients (in) and delivered to subscribers (out)',
      labelNames: ['direction'],
    });
    this.messagesIn = messages.labels({ direction: 'in' });
    this.messagesOut = messages.labels({ direction: 'out' });
  }

  accepted(): void {
    this.accepts.inc();
  }

  refused(refusal: ConnectRefusal): void {
    this.connects.inc({ outcome: 'refused', reason: refusal.reason });
  }

  denied(action: 'publish' | 'subscribe'): void {
    (action === 'publish' ? this.publishDenials : this.subscribeDenials).inc();
  }

  published(): void {
    this.messagesIn.inc();
  }

  delivered(): void {
    this.messagesOut.inc();
  }
}
