// The few MQTT 3.1.1 packets the load generator needs, encoded and parsed by hand. The generator
// shares the machine's cores with the broker under test, so it should cost as little per packet as
// possible (a full client such as mqtt.js costs several times more per message and per connection);
// the benchmarks check every answer (CONNACK code, SUBACK grant, delivery order) so a mistake here
// fails loudly instead of skewing numbers.

/** Control packet types (MQTT 3.1.1 §2.2.1). */
export const PacketType = {
  CONNECT: 1,
  CONNACK: 2,
  PUBLISH: 3,
  PUBACK: 4,
  SUBSCRIBE: 8,
  SUBACK: 9,
  DISCONNECT: 14,
} as const;

export interface ConnectOptions {
  clientId: string;
  username?: string;
  password?: string;
  keepaliveSeconds?: number;
}

export const DISCONNECT = Buffer.from([0xe0, 0x00]);

/** CONNECT, clean session (§3.1). */
export function connectPacket({ clientId, username, password, keepaliveSeconds = 60 }: ConnectOptions): Buffer {
  const flags = 0x02 | (username === undefined ? 0 : 0x80) | (password === undefined ? 0 : 0x40);
  const header = Buffer.from([
    0x00,
    0x04,
    0x4d,
    0x51,
    0x54,
    0x54,
    0x04,
    flags,
    keepaliveSeconds >> 8,
    keepaliveSeconds & 0xff,
  ]);
  const fields = [clientId, username, password]
    .filter((field): field is string => field !== undefined)
    .map(lengthPrefixed);
  return packet(PacketType.CONNECT << 4, header, ...fields);
}

/** SUBSCRIBE to one filter (§3.8; the fixed header's flags must be 0b0010). */
export function subscribePacket(packetId: number, filter: string, qos: 0 | 1): Buffer {
  return packet((PacketType.SUBSCRIBE << 4) | 0x02, uint16(packetId), lengthPrefixed(filter), Buffer.from([qos]));
}

/** PUBLISH (§3.3); `packetId` only for QoS 1. The topic is passed pre-encoded, as it never changes. */
export function publishPacket(topic: Buffer, payload: Buffer, qos: 0 | 1, packetId = 0): Buffer {
  return qos === 0
    ? packet(PacketType.PUBLISH << 4, topic, payload)
    : packet((PacketType.PUBLISH << 4) | 0x02, topic, uint16(packetId), payload);
}

export function pubackPacket(packetId: number): Buffer {
  return Buffer.from([PacketType.PUBACK << 4, 0x02, packetId >> 8, packetId & 0xff]);
}

/** A UTF-8 string with its two-byte length (§1.5.3). */
export function lengthPrefixed(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  return Buffer.concat([uint16(bytes.length), bytes]);
}

function uint16(value: number): Buffer {
  return Buffer.from([value >> 8, value & 0xff]);
}

function packet(firstByte: number, ...parts: Buffer[]): Buffer {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  return Buffer.concat([Buffer.from([firstByte]), remainingLength(length), ...parts]);
}

/** The variable-length "remaining length" (§2.2.3). */
function remainingLength(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0);
  return Buffer.from(bytes);
}

/** One received packet: its type, the fixed header's flags and the bytes after the fixed header. */
export interface ReceivedPacket {
  type: number;
  flags: number;
  body: Buffer;
}

/** Splits a byte stream into packets, across chunk boundaries. */
export class PacketReader {
  private pending: Buffer = Buffer.alloc(0);

  /** Feeds a chunk; calls `onPacket` for every packet it completes. */
  push(chunk: Buffer, onPacket: (packet: ReceivedPacket) => void): void {
    let buffer = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      if (buffer.length < 2) break;
      let length = 0;
      let multiplier = 1;
      let offset = 1;
      let complete = false;
      while (offset < buffer.length && offset <= 4) {
        const byte = buffer[offset++];
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete) {
        if (offset > 4) throw new Error('malformed MQTT remaining length');
        break;
      }
      if (buffer.length < offset + length) break;
      onPacket({ type: buffer[0] >> 4, flags: buffer[0] & 0x0f, body: buffer.subarray(offset, offset + length) });
      buffer = buffer.subarray(offset + length);
    }
    this.pending = buffer.length === 0 ? Buffer.alloc(0) : Buffer.from(buffer);
  }
}
