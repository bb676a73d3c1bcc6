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
