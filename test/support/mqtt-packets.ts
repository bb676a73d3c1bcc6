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

/** A QoS 0 PUBLISH (§3.3) with a payload of the given size. */
export function rawPublish(payloadBytes: number, topic = 'devices/t1/telemetry'): Buffer {
  const name = Buffer.from(topic);
  const body = Buffer.concat([Buffer.from([name.length >> 8, name.length & 0xff]), name, Buffer.alloc(payloadBytes, 1)]);
  return Buffer.concat([Buffer.from([0x30]), encodeRemainingLength(body.length), body]);
}

export const RAW_PINGREQ = Buffer.from([0xc0, 0x00]);

function utf8Field(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
}

function packet(firstByte: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([firstByte]), encodeRemainingLength(body.length), body]);
}

/** A CONNECT (§3.1) with username and password and a clean session. */
export function rawConnect({ clientId, username, password, keepalive = 60 }: { clientId: string; username: string; password: string; keepalive?: number }): Buffer {
  const flags = 0x80 | 0x40 | 0x02;
  const variableHeader = Buffer.concat([utf8Field('MQTT'), Buffer.from([0x04, flags, keepalive >> 8, keepalive & 0xff])]);
  return packet(0x10, Buffer.concat([variableHeader, utf8Field(clientId), utf8Field(username), utf8Field(password)]));
}

/** A SUBSCRIBE (§3.8) to one filter. */
export function rawSubscribe(filter: string, packetId = 1, qos = 0): Buffer {
  return packet(0x82, Buffer.concat([Buffer.from([packetId >> 8, packetId & 0xff]), utf8Field(filter), Buffer.from([qos])]));
}
