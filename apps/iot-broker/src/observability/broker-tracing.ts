import { context, type Span, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { ConnectRefusal } from '../auth/device-authenticator.js';
import type { DeviceSession } from '../sessions/device-session.js';
import type { Peer } from '../transport/guarded-connection.js';

/**
 * The broker's spans (issue 16): one per CONNECT, from its authentication to its CONNACK, and one
 * per refused publish or subscription. They carry the outcome, the refusal reason, the transport
 * and the client kind, never a client id, a topic (both name devices) or a credential. Built only
 * while tracing is on: with it off, the hooks hold no `BrokerTracing` and allocate nothing for it.
 */
export class BrokerTracing {
  constructor(private readonly tracer: Tracer = trace.getTracer('iot-broker')) {}

  /** Starts the span of one CONNECT; the hooks end it with its outcome. */
  connect(peer: Peer): ConnectTrace {
    return new ConnectTrace(
      this.tracer.startSpan('mqtt CONNECT', {
        kind: SpanKind.SERVER,
        attributes: { 'network.protocol.name': 'mqtt', 'tollgate.mqtt.transport': peer.transport },
      }),
    );
  }

  /** One refused publish or subscription: `topic_not_allowed` by the session's ACL, or no session still valid (`no_session`, `token_expired`, `token_revoked`, …). */
  refused(action: 'publish' | 'subscribe', reason: string): void {
    this.tracer
      .startSpan(`mqtt ${action} refused`, {
        kind: SpanKind.SERVER,
        attributes: { 'network.protocol.name': 'mqtt', 'tollgate.mqtt.action': action, 'tollgate.mqtt.reason': reason },
      })
      .end();
  }
}

/** The span of one CONNECT while it is authenticated. */
export class ConnectTrace {
  constructor(private readonly span: Span) {}

  /** Runs the token's verification under this span, so that its calls (JWKS, metadata) join the trace. */
  within<T>(verify: () => Promise<T>): Promise<T> {
    return context.with(trace.setSpan(context.active(), this.span), verify);
  }

  accepted(session: DeviceSession): void {
    this.span.setAttributes({ 'tollgate.mqtt.outcome': 'accepted', 'tollgate.client.kind': session.kind });
    this.span.end();
  }

  refused(refusal: ConnectRefusal): void {
    this.span.setAttributes({
      'tollgate.mqtt.outcome': 'refused',
      'tollgate.mqtt.reason': refusal.reason,
      'tollgate.mqtt.connack_code': refusal.returnCode,
    });
    // A refusal is the broker doing its job; only a failure to decide is an error.
    if (refusal.reason === 'internal_error') this.span.setStatus({ code: SpanStatusCode.ERROR });
    this.span.end();
  }
}
