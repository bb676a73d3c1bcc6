import {
  encodeRemainingLength,
  RAW_PINGREQ,
  rawConnect,
  rawPublish,
  rawSubscribe,
  rawUnsubscribe,
} from '../../../../test/support/mqtt-packets.js';
import { type FrameViolation, MqttFrameScanner } from './mqtt-frame-scanner.js';

const credentials = { clientId: 'hub-1', username: 'hub-1', password: 'token' };
const CONNECT = rawConnect(credentials);

/** A scanner that has seen the connection's CONNECT (MQTT-3.1.0-1), as every other packet needs. */
function connectedScanner(maxPacketSize: number): MqttFrameScanner {
  const sut = new MqttFrameScanner(maxPacketSize);
  expect(sut.scan(CONNECT)).toBeUndefined();
  return sut;
}

/** Scans `stream` cut into chunks of `chunkSize` bytes; the first violation, if any. */
function scanInChunks(
  stream: Buffer,
  chunkSize: number,
  { maxPacketSize = 64 * 1024, connected = true } = {},
): FrameViolation | undefined {
  const sut = connected ? connectedScanner(maxPacketSize) : new MqttFrameScanner(maxPacketSize);
  for (let offset = 0; offset < stream.length; offset += chunkSize) {
    const violation = sut.scan(stream.subarray(offset, offset + chunkSize));
    if (violation) return violation;
  }
  return undefined;
}

const CHUNK_SIZES = [1, 2, 3, 5, 7, 64, 100_000];
const ILL_FORMED = Buffer.from([0xc3, 0x28, 0xff, 0xfe]);

describe(MqttFrameScanner.name, () => {
  it('passes a stream of packets under the limit, however it is chunked', () => {
    const stream = Buffer.concat([rawPublish(10), rawPublish(1000), RAW_PINGREQ, rawPublish(200)]);
    for (const chunkSize of [1, 2, 3, 7, 64, stream.length]) {
      const sut = connectedScanner(1100);
      for (let offset = 0; offset < stream.length; offset += chunkSize) {
        expect(sut.scan(stream.subarray(offset, offset + chunkSize))).toBeUndefined();
      }
    }
  });

  it('reports an oversize packet from its header alone, before the body arrives', () => {
    const sut = connectedScanner(64 * 1024);
    const header = rawPublish(1024 * 1024).subarray(0, 5);
    expect(sut.scan(header)).toEqual({
      reason: 'packet_too_large',
      announcedSize: expect.any(Number),
      limit: 64 * 1024,
    });
  });

  it('counts the whole packet: a packet of exactly the limit passes, one byte more does not', () => {
    const packet = rawPublish(100);
    expect(connectedScanner(packet.length).scan(packet)).toBeUndefined();
    expect(connectedScanner(packet.length - 1).scan(packet)).toMatchObject({
      reason: 'packet_too_large',
      announcedSize: packet.length,
    });
  });

  it('catches an oversize packet that follows small ones in the same chunk', () => {
    const sut = connectedScanner(2048);
    expect(sut.scan(Buffer.concat([rawPublish(10), rawPublish(10), rawPublish(4096)]))).toMatchObject({
      reason: 'packet_too_large',
    });
  });

  it('refuses a remaining length longer than four bytes (§2.2.3)', () => {
    const sut = connectedScanner(Number.MAX_SAFE_INTEGER);
    expect(sut.scan(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toEqual({
      reason: 'malformed_length',
      limit: Number.MAX_SAFE_INTEGER,
    });
  });

  describe('strings (MQTT 3.1.1 §1.5.3)', () => {
    const topicWith = (bytes: number[]) =>
      Buffer.concat([Buffer.from('devices/thermostat-1/commands/'), Buffer.from(bytes)]);

    it('passes well-formed strings, non-ASCII ones included, and binary payloads and passwords, however the stream is chunked', () => {
      const binaryPayload = rawPublish(300, 'devices/hub-1/telemetry');
      binaryPayload.fill(0xff, binaryPayload.length - 300);
      const stream = Buffer.concat([
        rawConnect({ ...credentials, will: { topic: 'devices/hub-1/state', payload: ILL_FORMED } }),
        rawSubscribe('devices/thermostat-1/commands/température'),
        rawPublish(0, 'devices/thermostat-1/commands/température'),
        rawPublish(0, topicWith([0xf0, 0x9f, 0x8c, 0xa1, 0xef, 0xbf, 0xbd])),
        binaryPayload,
        rawUnsubscribe('devices/+/état'),
        RAW_PINGREQ,
      ]);
      for (const chunkSize of CHUNK_SIZES)
        expect(scanInChunks(stream, chunkSize, { connected: false })).toBeUndefined();
    });

    it.each([
      ['ill-formed bytes', [0xc3, 0x28, 0xff, 0xfe]],
      ['U+0000', [0x61, 0x00, 0x62]],
      ['a UTF-16 surrogate (U+D800)', [0xed, 0xa0, 0x80]],
      ['an overlong "/"', [0xc0, 0xaf]],
      ['a truncated sequence', [0xe2, 0x82]],
      ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ])('reports a PUBLISH topic with %s, however the stream is chunked', (_case, bytes) => {
      const stream = Buffer.concat([rawPublish(10), rawPublish(10, topicWith(bytes))]);
      for (const chunkSize of CHUNK_SIZES)
        expect(scanInChunks(stream, chunkSize)).toEqual({
          reason: 'ill_formed_string',
          packet: 'PUBLISH',
          field: 'topic',
        });
    });

    it('reports the violation in the chunk that completes the string, before the packet is whole', () => {
      const publish = rawPublish(1000, topicWith([0xff]));
      const sut = connectedScanner(64 * 1024);
      const topicEnd = publish.indexOf(0xff) + 1;
      expect(sut.scan(publish.subarray(0, topicEnd - 1))).toBeUndefined();
      expect(sut.scan(publish.subarray(topicEnd - 1, topicEnd + 1))).toMatchObject({ reason: 'ill_formed_string' });
    });

    it.each([
      ['SUBSCRIBE', (filter: Buffer) => rawSubscribe(filter)],
      ['UNSUBSCRIBE', (filter: Buffer) => rawUnsubscribe(filter)],
    ])('reports an ill-formed %s filter', (packet, build) => {
      for (const filter of [Buffer.from([0xff, 0xfe]), topicWith([0xed, 0xbf, 0xbf]), Buffer.from('devices/\0/#')]) {
        for (const chunkSize of CHUNK_SIZES)
          expect(scanInChunks(build(filter), chunkSize)).toEqual({
            reason: 'ill_formed_string',
            packet,
            field: 'topic_filter',
          });
      }
    });

    it('reports an ill-formed filter after well-formed ones in the same SUBSCRIBE', () => {
      const body = Buffer.concat([
        Buffer.from([0, 1]),
        ...['devices/a/state', 'devices/b/state'].map((f) =>
          Buffer.concat([Buffer.from([0, f.length]), Buffer.from(f), Buffer.from([0])]),
        ),
        Buffer.from([0, 2, 0xff, 0xfe, 0]),
      ]);
      const subscribe = Buffer.concat([Buffer.from([0x82, body.length]), body]);
      expect(scanInChunks(subscribe, 3)).toEqual({
        reason: 'ill_formed_string',
        packet: 'SUBSCRIBE',
        field: 'topic_filter',
      });
    });

    it.each([
      ['client_id', { ...credentials, clientId: ILL_FORMED }],
      ['username', { ...credentials, username: ILL_FORMED }],
      ['will_topic', { ...credentials, will: { topic: topicWith([0xff, 0xfe]) } }],
    ])('reports a CONNECT whose %s is ill-formed', (field, options) => {
      for (const chunkSize of CHUNK_SIZES)
        expect(scanInChunks(rawConnect(options), chunkSize, { connected: false })).toEqual({
          reason: 'ill_formed_string',
          packet: 'CONNECT',
          field,
        });
    });

    it('leaves a packet whose string runs past its end to the packet parser', () => {
      const truncated = Buffer.from([0x30, 0x04, 0x00, 0x10, 0xff, 0xfe]);
      expect(scanInChunks(truncated, 1)).toBeUndefined();
      const connect = rawConnect(credentials);
      expect(
        scanInChunks(Buffer.concat([Buffer.from([0x10, 12]), connect.subarray(2, 14)]), 2, { connected: false }),
      ).toBeUndefined();
    });
  });

  describe('protocol rules (MQTT 3.1.1 §2.2, §3)', () => {
    const packet = (firstByte: number, body: number[] | Buffer = []) =>
      Buffer.concat([Buffer.from([firstByte]), encodeRemainingLength(body.length), Buffer.from(body)]);
    const utf8 = (value: string) => Buffer.concat([Buffer.from([0, Buffer.byteLength(value)]), Buffer.from(value)]);
    const publish = (firstByte: number, topic: string, payload = 'x') =>
      packet(
        firstByte,
        Buffer.concat([utf8(topic), Buffer.from(firstByte & 0b0110 ? [0, 7] : []), Buffer.from(payload)]),
      );
    const violation = (packetName: string, rule: string) => ({
      reason: 'protocol_violation',
      packet: packetName,
      rule,
    });

    it('passes every packet a client sends, with the flags Table 2.2 gives them, however the stream is chunked', () => {
      const stream = Buffer.concat([
        CONNECT,
        publish(0x30, 'devices/hub-1/telemetry', 'payload with + and #'),
        publish(0x31, 'devices/hub-1/state'),
        publish(0x32, 'devices/hub-1/telemetry'),
        publish(0x3a, 'devices/hub-1/telemetry'),
        publish(0x34, 'devices/hub-1/telemetry'),
        publish(0x3d, 'devices/hub-1/state'),
        packet(0x40, [0, 1]),
        packet(0x50, [0, 2]),
        packet(0x62, [0, 2]),
        packet(0x70, [0, 2]),
        rawSubscribe('devices/+/commands/#', 3, 1),
        rawUnsubscribe('devices/+/commands/#', 4),
        RAW_PINGREQ,
        packet(0xe0),
      ]);
      for (const chunkSize of CHUNK_SIZES)
        expect(scanInChunks(stream, chunkSize, { connected: false })).toBeUndefined();
    });

    const FIXED_FLAGS: [string, number, number][] = [
      ['CONNECT', 1, 0b0000],
      ['PUBACK', 4, 0b0000],
      ['PUBREC', 5, 0b0000],
      ['PUBREL', 6, 0b0010],
      ['PUBCOMP', 7, 0b0000],
      ['SUBSCRIBE', 8, 0b0010],
      ['UNSUBSCRIBE', 10, 0b0010],
      ['PINGREQ', 12, 0b0000],
      ['DISCONNECT', 14, 0b0000],
    ];
    it.each(FIXED_FLAGS)(
      'reports a %s with any flags but its own (§2.2.2), from its first byte',
      (name, type, flags) => {
        for (let wrong = 0; wrong < 16; wrong++) {
          if (wrong === flags) continue;
          const sut = type === 1 ? new MqttFrameScanner(1024) : connectedScanner(1024);
          expect(sut.scan(Buffer.from([(type << 4) | wrong]))).toEqual(violation(name, 'header_flags'));
        }
      },
    );

    it('reports a PUBLISH at QoS 3 (MQTT-3.3.1-4) and a QoS 0 PUBLISH with DUP set (MQTT-3.3.1-2), and passes DUP at QoS 1 and 2', () => {
      for (const firstByte of [0x36, 0x37, 0x3e, 0x3f])
        expect(connectedScanner(1024).scan(Buffer.from([firstByte]))).toEqual(violation('PUBLISH', 'publish_qos'));
      for (const firstByte of [0x38, 0x39])
        expect(connectedScanner(1024).scan(Buffer.from([firstByte]))).toEqual(violation('PUBLISH', 'dup_at_qos_0'));
      for (const firstByte of [0x3a, 0x3b, 0x3c, 0x3d])
        expect(scanInChunks(publish(firstByte, 'devices/hub-1/telemetry'), 1)).toBeUndefined();
    });

    it.each([
      ['CONNACK', packet(0x20, [0, 0])],
      ['SUBACK', packet(0x90, [0, 1, 0])],
      ['UNSUBACK', packet(0xb0, [0, 1])],
      ['PINGRESP', packet(0xd0)],
    ])('reports a %s, which only a server sends (§2.2.1)', (name, bytes) => {
      expect(scanInChunks(bytes, 1)).toEqual(violation(name, 'server_only'));
    });

    it.each([0x00, 0x0f])('reports the reserved packet type %i (§2.2.1)', (type) => {
      for (const flags of [0, 2])
        expect(scanInChunks(packet((type << 4) | flags), 1)).toEqual(violation('RESERVED', 'reserved_type'));
    });

    it('reports any packet before the CONNECT (MQTT-3.1.0-1), and a second CONNECT (MQTT-3.1.0-2), however chunked', () => {
      for (const bytes of [
        rawPublish(1),
        RAW_PINGREQ,
        rawSubscribe('devices/hub-1/commands/#'),
        packet(0xe0),
        packet(0x40, [0, 1]),
      ]) {
        expect(scanInChunks(bytes, 1, { connected: false })).toMatchObject({
          reason: 'protocol_violation',
          rule: 'connect_first',
        });
      }
      for (const chunkSize of CHUNK_SIZES)
        expect(scanInChunks(Buffer.concat([CONNECT, RAW_PINGREQ, CONNECT]), chunkSize, { connected: false })).toEqual(
          violation('CONNECT', 'second_connect'),
        );
    });

    it.each([
      ['PINGREQ', packet(0xc0, [0, 0])],
      ['DISCONNECT', packet(0xe0, [0])],
    ])('reports a %s with a body (§3.12, §3.14), from its header', (name, bytes) => {
      expect(connectedScanner(1024).scan(bytes.subarray(0, 2))).toEqual(violation(name, 'body_not_empty'));
    });

    it.each(['devices/+/telemetry', 'devices/hub-1/#', '+', '#', 'devices/hub-1/tele+metry'])(
      'reports a PUBLISH to the topic name %s (MQTT-3.3.2-2), at QoS 0 and 1, however chunked',
      (topic) => {
        for (const firstByte of [0x30, 0x32, 0x3b]) {
          for (const chunkSize of CHUNK_SIZES)
            expect(scanInChunks(publish(firstByte, topic), chunkSize)).toEqual(
              violation('PUBLISH', 'wildcard_in_topic_name'),
            );
        }
      },
    );

    it.each([
      ['SUBSCRIBE', 0x82],
      ['UNSUBSCRIBE', 0xa2],
    ])('reports a %s without a topic filter (MQTT-3.8.3-3, MQTT-3.10.3-2), however chunked', (name, firstByte) => {
      for (const body of [[0, 1], [0], []]) {
        for (const chunkSize of CHUNK_SIZES)
          expect(scanInChunks(packet(firstByte, body), chunkSize)).toEqual(violation(name, 'no_topic_filter'));
      }
    });

    describe('after an MQTT 5 CONNECT (which aedes refuses with return code 1)', () => {
      // Protocol level 5, clean start, keepalive 60, a Session Expiry Interval property (MQTT 5 §3.1.2.11).
      const CONNECT_V5 = packet(
        0x10,
        Buffer.concat([utf8('MQTT'), Buffer.from([5, 0x02, 0, 60, 5, 0x11, 0, 0, 0, 60]), utf8('hub-5')]),
      );
      // Properties: a Subscription Identifier (MQTT 5 §3.8.2.1.2) of 300, as a Variable Byte Integer.
      const SUBSCRIPTION_ID = [3, 0x0b, 0xac, 0x02];

      it('follows the properties of SUBSCRIBE and UNSUBSCRIBE, and lets DISCONNECT carry a reason and AUTH pass (MQTT 5 §3.14, §3.15)', () => {
        const stream = Buffer.concat([
          CONNECT_V5,
          packet(
            0x82,
            Buffer.concat([
              Buffer.from([0, 1, ...SUBSCRIPTION_ID]),
              utf8('devices/hub-5/commands/#'),
              Buffer.from([0x01]),
            ]),
          ),
          packet(0xa2, Buffer.concat([Buffer.from([0, 2, 0]), utf8('devices/hub-5/commands/#')])),
          packet(0xf0, [0x18, 0]),
          packet(0xe0, [0x04, 0]),
        ]);
        for (const chunkSize of CHUNK_SIZES)
          expect(scanInChunks(stream, chunkSize, { connected: false })).toBeUndefined();
      });

      it('still reports an ill-formed filter, a SUBSCRIBE with properties but no filter, and wrong flags', () => {
        const subscribe = (rest: Buffer) =>
          packet(0x82, Buffer.concat([Buffer.from([0, 1, ...SUBSCRIPTION_ID]), rest]));
        const afterConnect = (bytes: Buffer) =>
          scanInChunks(Buffer.concat([CONNECT_V5, bytes]), 3, { connected: false });
        expect(afterConnect(subscribe(Buffer.from([0, 2, 0xff, 0xfe, 0])))).toEqual({
          reason: 'ill_formed_string',
          packet: 'SUBSCRIBE',
          field: 'topic_filter',
        });
        expect(afterConnect(subscribe(Buffer.alloc(0)))).toEqual(violation('SUBSCRIBE', 'no_topic_filter'));
        expect(afterConnect(packet(0xa2, [0, 1, 0]))).toEqual(violation('UNSUBSCRIBE', 'no_topic_filter'));
        expect(afterConnect(packet(0xf1, [0x18, 0]))).toEqual(violation('AUTH', 'header_flags'));
        expect(afterConnect(packet(0xc0, [0]))).toEqual(violation('PINGREQ', 'body_not_empty'));
      });
    });
  });
});
