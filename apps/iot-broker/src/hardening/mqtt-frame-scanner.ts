import { hasIllFormedFilter, illFormedConnectField, isWellFormedMqttString, type StringField } from './mqtt-strings.js';

/** Why a connection was cut before aedes parsed its packet. */
export type FrameViolation =
  | {
      reason: 'packet_too_large';
      /** Size announced by the fixed header (type byte + length bytes + remaining length). */
      announcedSize: number;
      limit: number;
    }
  | { reason: 'malformed_length'; limit: number }
  | { reason: 'ill_formed_string'; packet: 'CONNECT' | 'PUBLISH' | 'SUBSCRIBE' | 'UNSUBSCRIBE'; field: StringField };

const CONNECT = 1;
const PUBLISH = 3;
const SUBSCRIBE = 8;
const UNSUBSCRIBE = 10;

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
 *   bytes leniently (into U+FFFD), so they can only be judged here, on the wire.
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

  constructor(private readonly maxPacketSize: number) {}

  /** Scans the next chunk of the stream; returns the first violation, if any. */
  scan(chunk: Buffer): FrameViolation | undefined {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'type') {
        this.packetType = chunk[i++] >> 4;
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
        if (size > this.maxPacketSize) return { reason: 'packet_too_large', announcedSize: size, limit: this.maxPacketSize };
        if (byte & 0x80) {
          if (this.lengthBytes === 4) return { reason: 'malformed_length', limit: this.maxPacketSize };
          continue;
        }
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

  private beginBody(): void {
    this.inspection = 'none';
    if (this.packetType === PUBLISH) this.inspectNext('topic_length', 2);
    else if (this.packetType === CONNECT || this.packetType === SUBSCRIBE || this.packetType === UNSUBSCRIBE) this.inspectNext('body', this.bodyLeft);
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
        return isWellFormedMqttString(bytes, start, end) ? undefined : { reason: 'ill_formed_string', packet: 'PUBLISH', field: 'topic' };
      case 'body':
        return this.inspectBody(bytes.subarray(start, end));
      default:
        return undefined;
    }
  }

  private inspectBody(body: Buffer): FrameViolation | undefined {
    if (this.packetType === CONNECT) {
      const field = illFormedConnectField(body);
      return field && { reason: 'ill_formed_string', packet: 'CONNECT', field };
    }
    const subscribe = this.packetType === SUBSCRIBE;
    return hasIllFormedFilter(body, subscribe) ? { reason: 'ill_formed_string', packet: subscribe ? 'SUBSCRIBE' : 'UNSUBSCRIBE', field: 'topic_filter' } : undefined;
  }
}
