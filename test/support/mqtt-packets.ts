/** Raw MQTT 3.1.1 packets for tests that must put exact bytes on the wire. */

/** §2.2.3 Remaining Length encoding. */
export function encodeRemainingLength(length: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    bytes.push(byte);
  } while (length > 0);
  return Buffer.from(bytes);
}

/** A QoS 0 PUBLISH (§3.3) with a payload of the given size; the topic may be raw bytes (e.g. ill-formed UTF-8). */
export function rawPublish(payloadBytes: number, topic: string | Buffer = 'devices/t1/telemetry'): Buffer {
  return packet(0x30, Buffer.concat([utf8Field(topic), Buffer.alloc(payloadBytes, 1)]));
}

export const RAW_PINGREQ = Buffer.from([0xc0, 0x00]);

function utf8Field(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
}

function packet(firstByte: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([firstByte]), encodeRemainingLength(body.length), body]);
}

export interface RawConnectOptions {
  clientId: string | Buffer;
  username: string | Buffer;
  password: string;
  keepalive?: number;
  will?: { topic: string | Buffer; payload?: Buffer };
}

/** A CONNECT (§3.1) with username and password and a clean session; strings may be raw bytes. */
export function rawConnect({ clientId, username, password, keepalive = 60, will }: RawConnectOptions): Buffer {
  const flags = 0x80 | 0x40 | 0x02 | (will ? 0x04 : 0);
  const variableHeader = Buffer.concat([
    utf8Field('MQTT'),
    Buffer.from([0x04, flags, keepalive >> 8, keepalive & 0xff]),
  ]);
  const willFields = will ? [utf8Field(will.topic), utf8Field(will.payload ?? Buffer.alloc(0))] : [];
  return packet(
    0x10,
    Buffer.concat([variableHeader, utf8Field(clientId), ...willFields, utf8Field(username), utf8Field(password)]),
  );
}

/** A SUBSCRIBE (§3.8) to one filter (which may be raw bytes). */
export function rawSubscribe(filter: string | Buffer, packetId = 1, qos = 0): Buffer {
  return packet(
    0x82,
    Buffer.concat([Buffer.from([packetId >> 8, packetId & 0xff]), utf8Field(filter), Buffer.from([qos])]),
  );
}

/** An UNSUBSCRIBE (§3.10) from one filter (which may be raw bytes). */
export function rawUnsubscribe(filter: string | Buffer, packetId = 1): Buffer {
  return packet(0xa2, Buffer.concat([Buffer.from([packetId >> 8, packetId & 0xff]), utf8Field(filter)]));
}

/** MQTT control packet types (§2.2.1), as `packetTypes` reports them. */
export const PacketType = { CONNACK: 2, PUBLISH: 3, SUBACK: 9, UNSUBACK: 11, PINGRESP: 13 } as const;

/** A control packet as received: its type (§2.2.1) and what follows its fixed header. */
export interface RawPacket {
  type: number;
  body: Buffer;
}

/** The control packets in a byte stream received from the broker, in order (a cut-off last packet is left out). */
export function rawPackets(stream: Buffer): RawPacket[] {
  const packets: RawPacket[] = [];
  let offset = 0;
  while (offset < stream.length) {
    let length = 0;
    let multiplier = 1;
    let cursor = offset + 1;
    let byte: number;
    do {
      if (cursor >= stream.length) return packets;
      byte = stream[cursor++];
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
    } while (byte & 0x80);
    if (cursor + length > stream.length) return packets;
    packets.push({ type: stream[offset] >> 4, body: stream.subarray(cursor, cursor + length) });
    offset = cursor + length;
  }
  return packets;
}

/** The control packet types in a byte stream received from the broker, in order (a cut-off last packet is left out). */
export function packetTypes(stream: Buffer): number[] {
  return rawPackets(stream).map(({ type }) => type);
}

/** The payload of a QoS 0 PUBLISH's body (§3.3.2: topic name, no packet identifier). */
export function qos0Payload(body: Buffer): Buffer {
  return body.subarray(2 + body.readUInt16BE(0));
}
