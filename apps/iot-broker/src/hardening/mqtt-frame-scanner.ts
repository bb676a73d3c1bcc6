import {
  connectProtocolLevel,
  illFormedConnectField,
  isWellFormedMqttString,
  type StringField,
  topicFiltersFault,
} from './mqtt-strings.js';

export type PacketName =
  | 'CONNECT'
  | 'CONNACK'
  | 'PUBLISH'
  | 'PUBACK'
  | 'PUBREC'
  | 'PUBREL'
  | 'PUBCOMP'
  | 'SUBSCRIBE'
  | 'SUBACK'
  | 'UNSUBSCRIBE'
  | 'UNSUBACK'
  | 'PINGREQ'
  | 'PINGRESP'
  | 'DISCONNECT'
  | 'AUTH'
  | 'RESERVED';

/** The MQTT 3.1.1 rule a packet broke; each one obliges the server to close the connection (§4.8). */
export type ProtocolRule =
  /** §2.2.1: packet types 0 and 15 are reserved. */
  | 'reserved_type'
  /** §2.2.1 Table 2.1 (direction of flow): a client never sends CONNACK, SUBACK, UNSUBACK or PINGRESP. */
  | 'server_only'
  /** §2.2.2 [MQTT-2.2.2-2]: fixed-header flags other than Table 2.2 lists. */
  | 'header_flags'
  /** §3.3.1.2 [MQTT-3.3.1-4]: a PUBLISH with both QoS bits set. */
  | 'publish_qos'
  /** §3.3.1.1 [MQTT-3.3.1-2]: DUP set on a QoS 0 PUBLISH. */
  | 'dup_at_qos_0'
  /** §3.1 [MQTT-3.1.0-1]: the first packet must be a CONNECT. */
  | 'connect_first'
  /** §3.1 [MQTT-3.1.0-2]: a second CONNECT on the same connection. */
  | 'second_connect'
  /** §3.12, §3.13, §3.14: PINGREQ, PINGRESP and DISCONNECT have no variable header and no payload. */
  | 'body_not_empty'
  /** §3.3.2.1 [MQTT-3.3.2-2]: a topic name holding + or #. */
  | 'wildcard_in_topic_name'
  /** §3.8.3 [MQTT-3.8.3-3], §3.10.3 [MQTT-3.10.3-2]: a SUBSCRIBE or UNSUBSCRIBE needs at least one topic filter. */
  | 'no_topic_filter';

/** Why a connection was cut before aedes parsed its packet. */
export type FrameViolation =
  | {
      reason: 'packet_too_large';
      /** Size announced by the fixed header (type byte + length bytes + remaining length). */
      announcedSize: number;
      limit: number;
    }
  | { reason: 'malformed_length'; limit: number }
  | { reason: 'ill_formed_string'; packet: 'CONNECT' | 'PUBLISH' | 'SUBSCRIBE' | 'UNSUBSCRIBE'; field: StringField }
  | { reason: 'protocol_violation'; packet: PacketName; rule: ProtocolRule };

const CONNECT = 1;
const PUBLISH = 3;
const SUBSCRIBE = 8;
const UNSUBSCRIBE = 10;

interface PacketRule {
  name: PacketName;
  /** What bits 3–0 of its fixed header must be (§2.2.2 Table 2.2); for PUBLISH they are DUP, QoS and RETAIN. */
  flags?: number;
  /** Sent by a server only. */
  serverOnly?: true;
  /** Has neither variable header nor payload: its Remaining Length is 0. */
  empty?: true;
}

/** By packet type (§2.2.1 Table 2.1); types 0 and 15 are reserved. */
const PACKET_RULES: readonly (PacketRule | undefined)[] = [
  undefined,
  { name: 'CONNECT', flags: 0 }, // §3.1.1
  { name: 'CONNACK', flags: 0, serverOnly: true }, // §3.2.1
  { name: 'PUBLISH' }, // §3.3.1: see publishFlagsFault
  { name: 'PUBACK', flags: 0 }, // §3.4.1
  { name: 'PUBREC', flags: 0 }, // §3.5.1
  { name: 'PUBREL', flags: 0b0010 }, // §3.6.1 [MQTT-3.6.1-1]
  { name: 'PUBCOMP', flags: 0 }, // §3.7.1
  { name: 'SUBSCRIBE', flags: 0b0010 }, // §3.8.1 [MQTT-3.8.1-1]
  { name: 'SUBACK', flags: 0, serverOnly: true }, // §3.9.1
  { name: 'UNSUBSCRIBE', flags: 0b0010 }, // §3.10.1 [MQTT-3.10.1-1]
  { name: 'UNSUBACK', flags: 0, serverOnly: true }, // §3.11.1
  { name: 'PINGREQ', flags: 0, empty: true }, // §3.12
  { name: 'PINGRESP', flags: 0, serverOnly: true, empty: true }, // §3.13
  { name: 'DISCONNECT', flags: 0, empty: true }, // §3.14
  undefined,
];

/**
 * Where MQTT 5 differs, once a CONNECT asks for it: a DISCONNECT may carry a reason code and
 * properties (MQTT 5 §3.14.2), and type 15 is AUTH (MQTT 5 §3.15.1). aedes v1 answers such a CONNECT
 * with return code 1 and closes; these keep what comes before that close from being misjudged.
 */
const MQTT5_PACKET_RULES: Readonly<Record<number, PacketRule>> = {
  14: { name: 'DISCONNECT', flags: 0 },
  15: { name: 'AUTH', flags: 0 },
};

/** A PUBLISH's flags are DUP, QoS (two bits) and RETAIN (§3.3.1). */
function publishFlagsFault(flags: number): ProtocolRule | undefined {
  const qos = (flags >> 1) & 0b11;
  if (qos === 3) return 'publish_qos';
  return qos === 0 && flags & 0b1000 ? 'dup_at_qos_0' : undefined;
}

const PLUS = 0x2b;
const HASH = 0x23;

/**
 * What the scanner gathers of the current packet's body before inspecting it: nothing, a
 * PUBLISH's topic length and then its topic (§3.3.2.1), or a whole CONNECT, SUBSCRIBE or
 * UNSUBSCRIBE body (small packets whose strings are spread through them).
 */
type Inspection = 'none' | 'topic_length' | 'topic' | 'body';

/**
 * Follows the MQTT fixed headers (MQTT 3.1.1 §2.2: one type byte, then the Remaining Length in
 * one to four base-128 bytes) as bytes go by, and reports, before aedes sees the offending bytes:
 * - a packet that announces more than `maxPacketSize` bytes, as soon as its header is read, before
 *   the body arrives (aedes v1 has no such limit and would buffer up to 256 MB per packet);
 * - a topic, topic filter, client id, will topic or username that is not a well-formed UTF-8
 *   string or contains U+0000, which §1.5.3 says closes the connection. mqtt-packet decodes such
 *   bytes leniently (into U+FFFD), so they can only be judged here, on the wire;
 * - a packet that breaks one of the rules of `ProtocolRule`, several of which aedes lets pass.
 * PUBLISH payloads are skipped without copying; only topics and the small packets are gathered.
 */
export class MqttFrameScanner {
  private state: 'type' | 'length' | 'body' = 'type';
  private packetType = 0;
  private remainingLength = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private bodyLeft = 0;
  private inspection: Inspection = 'none';
  /** Bytes the current inspection needs, and those gathered so far when they span chunks. */
  private needed = 0;
  private gathered: Buffer[] = [];
  private gatheredLength = 0;
  private connectSeen = false;
  /** Set by a CONNECT at protocol level 5 (MQTT 5 §3.1.2.2). */
  private mqtt5 = false;

  constructor(private readonly maxPacketSize: number) {}

  /** Scans the next chunk of the stream; returns the first violation, if any. */
  scan(chunk: Buffer): FrameViolation | undefined {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'type') {
        const byte = chunk[i++];
        this.packetType = byte >> 4;
        const broken = this.judgeFixedHeader(byte & 0x0f);
        if (broken) return this.protocolViolation(broken);
        this.state = 'length';
        this.remainingLength = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
      } else if (this.state === 'length') {
        const byte = chunk[i++];
        this.lengthBytes++;
        this.remainingLength += (byte & 0x7f) * this.multiplier;
        this.multiplier *= 128;
        const size = 1 + this.lengthBytes + this.remainingLength;
        if (size > this.maxPacketSize)
          return { reason: 'packet_too_large', announcedSize: size, limit: this.maxPacketSize };
        if (byte & 0x80) {
          if (this.lengthBytes === 4) return { reason: 'malformed_length', limit: this.maxPacketSize };
          continue;
        }
        const broken = this.judgeRemainingLength();
        if (broken) return this.protocolViolation(broken);
        this.bodyLeft = this.remainingLength;
        this.beginBody();
        this.state = this.bodyLeft > 0 ? 'body' : 'type';
      } else if (this.inspection === 'none') {
        const skipped = Math.min(this.bodyLeft, chunk.length - i);
        i += skipped;
        this.bodyLeft -= skipped;
        if (this.bodyLeft === 0) this.state = 'type';
      } else {
        const taken = Math.min(this.needed - this.gatheredLength, chunk.length - i);
        let ready: { bytes: Buffer; start: number; end: number } | undefined;
        if (this.gatheredLength === 0 && taken === this.needed) {
          ready = { bytes: chunk, start: i, end: i + taken };
        } else {
          this.gathered.push(chunk.subarray(i, i + taken));
          this.gatheredLength += taken;
          if (this.gatheredLength === this.needed) {
            const bytes = Buffer.concat(this.gathered, this.gatheredLength);
            ready = { bytes, start: 0, end: bytes.length };
            this.gathered = [];
            this.gatheredLength = 0;
          }
        }
        i += taken;
        this.bodyLeft -= taken;
        const violation = ready && this.inspect(ready.bytes, ready.start, ready.end);
        if (violation) return violation;
        if (this.bodyLeft === 0) this.state = 'type';
      }
    }
    return undefined;
  }

  private get packetRule(): PacketRule | undefined {
    return (this.mqtt5 && MQTT5_PACKET_RULES[this.packetType]) || PACKET_RULES[this.packetType];
  }

  private protocolViolation(rule: ProtocolRule): FrameViolation {
    return { reason: 'protocol_violation', packet: this.packetRule?.name ?? 'RESERVED', rule };
  }

  /** Judges the first byte of a packet: its type, its flags, and where it stands in the connection. */
  private judgeFixedHeader(flags: number): ProtocolRule | undefined {
    const rule = this.packetRule;
    if (!rule) return 'reserved_type';
    if (rule.serverOnly) return 'server_only';
    if (rule.flags === undefined) {
      const publishFault = publishFlagsFault(flags);
      if (publishFault) return publishFault;
    } else if (flags !== rule.flags) {
      return 'header_flags';
    }
    if (this.packetType !== CONNECT) return this.connectSeen ? undefined : 'connect_first';
    if (this.connectSeen) return 'second_connect';
    this.connectSeen = true;
    return undefined;
  }

  private judgeRemainingLength(): ProtocolRule | undefined {
    if (this.packetRule?.empty && this.remainingLength > 0) return 'body_not_empty';
    // A longer body is judged once gathered (inspectBody); an empty one never is.
    if ((this.packetType === SUBSCRIBE || this.packetType === UNSUBSCRIBE) && this.remainingLength === 0)
      return 'no_topic_filter';
    return undefined;
  }

  private beginBody(): void {
    this.inspection = 'none';
    if (this.packetType === PUBLISH) this.inspectNext('topic_length', 2);
    else if (this.packetType === CONNECT || this.packetType === SUBSCRIBE || this.packetType === UNSUBSCRIBE)
      this.inspectNext('body', this.bodyLeft);
  }

  /** Gathers `count` more bytes of the body for `inspection`, when the body holds them (else the parser rejects the packet). */
  private inspectNext(inspection: Inspection, count: number): void {
    const fits = count > 0 && count <= this.bodyLeft;
    this.inspection = fits ? inspection : 'none';
    this.needed = fits ? count : 0;
  }

  /** Judges the gathered bytes `bytes[start, end)`; the body is already advanced past them. */
  private inspect(bytes: Buffer, start: number, end: number): FrameViolation | undefined {
    const inspection = this.inspection;
    this.inspection = 'none';
    switch (inspection) {
      case 'topic_length':
        this.inspectNext('topic', (bytes[start] << 8) | bytes[start + 1]);
        return undefined;
      case 'topic':
        if (!isWellFormedMqttString(bytes, start, end))
          return { reason: 'ill_formed_string', packet: 'PUBLISH', field: 'topic' };
        return hasWildcard(bytes, start, end) ? this.protocolViolation('wildcard_in_topic_name') : undefined;
      case 'body':
        return this.inspectBody(bytes.subarray(start, end));
      default:
        return undefined;
    }
  }

  private inspectBody(body: Buffer): FrameViolation | undefined {
    if (this.packetType === CONNECT) {
      this.mqtt5 = connectProtocolLevel(body) === 5;
      const field = illFormedConnectField(body);
      return field && { reason: 'ill_formed_string', packet: 'CONNECT', field };
    }
    const subscribe = this.packetType === SUBSCRIBE;
    switch (topicFiltersFault(body, { withOptions: subscribe, withProperties: this.mqtt5 })) {
      case 'no_filter':
        return this.protocolViolation('no_topic_filter');
      case 'ill_formed':
        return { reason: 'ill_formed_string', packet: subscribe ? 'SUBSCRIBE' : 'UNSUBSCRIBE', field: 'topic_filter' };
      default:
        return undefined;
    }
  }
}

function hasWildcard(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] === PLUS || bytes[i] === HASH) return true;
  return false;
}
