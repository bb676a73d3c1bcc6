import { isUtf8 } from 'node:buffer';

/** A UTF-8 string field of an MQTT packet, by where it sits. */
export type StringField = 'protocol_name' | 'client_id' | 'will_topic' | 'username' | 'topic' | 'topic_filter';

/**
 * MQTT 3.1.1 §1.5.3: a UTF-8 encoded string must be well-formed UTF-8 (which excludes the
 * encodings of U+D800–U+DFFF and overlong forms) and must not contain U+0000 [MQTT-1.5.3-1/2].
 * ASCII, what topics nearly always are, is checked in place without a copy.
 */
export function isWellFormedMqttString(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = bytes[i];
    if (byte === 0) return false;
    if (byte >= 0x80) {
      const rest = bytes.subarray(i, end);
      return isUtf8(rest) && !rest.includes(0);
    }
  }
  return true;
}

/**
 * The first string field of a CONNECT (§3.1) body that is not a well-formed MQTT string. The
 * password and the will message are binary. Only protocol levels 3 and 4 are followed (aedes
 * refuses the others), and a body too short for its own length fields is left to the packet parser.
 */
export function illFormedConnectField(body: Uint8Array): StringField | undefined {
  const reader = new FieldReader(body);
  if (!reader.string()) return 'protocol_name';
  const level = reader.byte();
  const flags = reader.byte();
  reader.skip(2);
  if (level === undefined || flags === undefined || ![3, 4].includes(level & 0x7f)) return undefined;
  if (!reader.string()) return 'client_id';
  if (flags & 0x04) {
    if (!reader.string()) return 'will_topic';
    reader.field();
  }
  if (flags & 0x80 && !reader.string()) return 'username';
  return undefined;
}

/** The protocol level of a CONNECT (§3.1.2.2) body, when the body holds one. */
export function connectProtocolLevel(body: Uint8Array): number | undefined {
  const reader = new FieldReader(body);
  reader.field();
  return reader.byte();
}

/**
 * What is wrong with the topic filters of a SUBSCRIBE (§3.8.3) or UNSUBSCRIBE (§3.10.3) body: there
 * is `no_filter` [MQTT-3.8.3-3, MQTT-3.10.3-2], or one is `ill_formed` (not a well-formed MQTT string).
 * After its packet identifier (and, in MQTT 5, its properties: MQTT 5 §3.8.2.1), a SUBSCRIBE pairs
 * each filter with an options byte; an UNSUBSCRIBE lists filters alone.
 */
export function topicFiltersFault(
  body: Uint8Array,
  { withOptions, withProperties }: { withOptions: boolean; withProperties: boolean },
): 'no_filter' | 'ill_formed' | undefined {
  const reader = new FieldReader(body);
  reader.skip(2);
  if (withProperties) reader.skipProperties();
  if (reader.atEnd) return 'no_filter';
  while (!reader.atEnd) {
    if (!reader.string()) return 'ill_formed';
    if (withOptions) reader.skip(1);
  }
  return undefined;
}

/**
 * Reads the length-prefixed fields (§1.5.3: two bytes of length, then the bytes) of a packet body.
 * A field that runs past the body ends the reading, and reads as well-formed: that packet is
 * malformed, which the packet parser reports.
 */
class FieldReader {
  private position = 0;

  constructor(private readonly body: Uint8Array) {}

  get atEnd(): boolean {
    return this.position >= this.body.length;
  }

  byte(): number | undefined {
    return this.position < this.body.length ? this.body[this.position++] : undefined;
  }

  skip(count: number): void {
    this.position += count;
  }

  /** MQTT 5 properties (MQTT 5 §2.2.2): their length as a Variable Byte Integer, then the properties. */
  skipProperties(): void {
    let length = 0;
    for (let multiplier = 1; multiplier <= 128 ** 3; multiplier *= 128) {
      const byte = this.byte();
      if (byte === undefined) return;
      length += (byte & 0x7f) * multiplier;
      if (!(byte & 0x80)) break;
    }
    this.skip(length);
  }

  /** The next field's bytes as [start, end) of the body; undefined when the body ends first. */
  field(): { start: number; end: number } | undefined {
    const start = this.position + 2;
    const end = start + ((this.body[this.position] << 8) | this.body[this.position + 1]);
    if (start > this.body.length || end > this.body.length) {
      this.position = this.body.length;
      return undefined;
    }
    this.position = end;
    return { start, end };
  }

  /** False when the next field is a string that is not a well-formed MQTT string. */
  string(): boolean {
    const field = this.field();
    return field === undefined || isWellFormedMqttString(this.body, field.start, field.end);
  }
}
