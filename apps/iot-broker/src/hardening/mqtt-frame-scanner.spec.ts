import { RAW_PINGREQ, rawConnect, rawPublish, rawSubscribe, rawUnsubscribe } from '../../../../test/support/mqtt-packets.js';
import { type FrameViolation, MqttFrameScanner } from './mqtt-frame-scanner.js';

/** Scans `stream` cut into chunks of `chunkSize` bytes; the first violation, if any. */
function scanInChunks(stream: Buffer, chunkSize: number, maxPacketSize = 64 * 1024): FrameViolation | undefined {
  const sut = new MqttFrameScanner(maxPacketSize);
  for (let offset = 0; offset < stream.length; offset += chunkSize) {
    const violation = sut.scan(stream.subarray(offset, offset + chunkSize));
    if (violation) return violation;
  }
  return undefined;
}

const CHUNK_SIZES = [1, 2, 3, 5, 7, 64, 100_000];
const ILL_FORMED = Buffer.from([0xc3, 0x28, 0xff, 0xfe]);
const credentials = { clientId: 'hub-1', username: 'hub-1', password: 'token' };

describe(MqttFrameScanner.name, () => {
  it('passes a stream of packets under the limit, however it is chunked', () => {
    const stream = Buffer.concat([rawPublish(10), rawPublish(1000), RAW_PINGREQ, rawPublish(200)]);
    for (const chunkSize of [1, 2, 3, 7, 64, stream.length]) {
      const sut = new MqttFrameScanner(1100);
      for (let offset = 0; offset < stream.length; offset += chunkSize) {
        expect(sut.scan(stream.subarray(offset, offset + chunkSize))).toBeUndefined();
      }
    }
  });

  it('reports an oversize packet from its header alone, before the body arrives', () => {
    const sut = new MqttFrameScanner(64 * 1024);
    const header = rawPublish(1024 * 1024).subarray(0, 5);
    expect(sut.scan(header)).toEqual({ reason: 'packet_too_large', announcedSize: expect.any(Number), limit: 64 * 1024 });
  });

  it('counts the whole packet: a packet of exactly the limit passes, one byte more does not', () => {
    const packet = rawPublish(100);
    expect(new MqttFrameScanner(packet.length).scan(packet)).toBeUndefined();
    expect(new MqttFrameScanner(packet.length - 1).scan(packet)).toMatchObject({ reason: 'packet_too_large', announcedSize: packet.length });
  });

  it('catches an oversize packet that follows small ones in the same chunk', () => {
    const sut = new MqttFrameScanner(2048);
    expect(sut.scan(Buffer.concat([rawPublish(10), rawPublish(10), rawPublish(4096)]))).toMatchObject({ reason: 'packet_too_large' });
  });

  it('refuses a remaining length longer than four bytes (§2.2.3)', () => {
    const sut = new MqttFrameScanner(Number.MAX_SAFE_INTEGER);
    expect(sut.scan(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toEqual({ reason: 'malformed_length', limit: Number.MAX_SAFE_INTEGER });
  });

  describe('strings (MQTT 3.1.1 §1.5.3)', () => {
    const topicWith = (bytes: number[]) => Buffer.concat([Buffer.from('devices/thermostat-1/commands/'), Buffer.from(bytes)]);

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
      for (const chunkSize of CHUNK_SIZES) expect(scanInChunks(stream, chunkSize)).toBeUndefined();
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
      for (const chunkSize of CHUNK_SIZES) expect(scanInChunks(stream, chunkSize)).toEqual({ reason: 'ill_formed_string', packet: 'PUBLISH', field: 'topic' });
    });

    it('reports the violation in the chunk that completes the string, before the packet is whole', () => {
      const publish = rawPublish(1000, topicWith([0xff]));
      const sut = new MqttFrameScanner(64 * 1024);
      const topicEnd = publish.indexOf(0xff) + 1;
      expect(sut.scan(publish.subarray(0, topicEnd - 1))).toBeUndefined();
      expect(sut.scan(publish.subarray(topicEnd - 1, topicEnd + 1))).toMatchObject({ reason: 'ill_formed_string' });
    });

    it.each([
      ['SUBSCRIBE', (filter: Buffer) => rawSubscribe(filter)],
      ['UNSUBSCRIBE', (filter: Buffer) => rawUnsubscribe(filter)],
    ])('reports an ill-formed %s filter', (packet, build) => {
      for (const filter of [Buffer.from([0xff, 0xfe]), topicWith([0xed, 0xbf, 0xbf]), Buffer.from('devices/\0/#')]) {
        for (const chunkSize of CHUNK_SIZES) expect(scanInChunks(build(filter), chunkSize)).toEqual({ reason: 'ill_formed_string', packet, field: 'topic_filter' });
      }
    });

    it('reports an ill-formed filter after well-formed ones in the same SUBSCRIBE', () => {
      const body = Buffer.concat([Buffer.from([0, 1]), ...['devices/a/state', 'devices/b/state'].map((f) => Buffer.concat([Buffer.from([0, f.length]), Buffer.from(f), Buffer.from([0])])), Buffer.from([0, 2, 0xff, 0xfe, 0])]);
      const subscribe = Buffer.concat([Buffer.from([0x82, body.length]), body]);
      expect(scanInChunks(subscribe, 3)).toEqual({ reason: 'ill_formed_string', packet: 'SUBSCRIBE', field: 'topic_filter' });
    });

    it.each([
      ['client_id', { ...credentials, clientId: ILL_FORMED }],
      ['username', { ...credentials, username: ILL_FORMED }],
      ['will_topic', { ...credentials, will: { topic: topicWith([0xff, 0xfe]) } }],
    ])('reports a CONNECT whose %s is ill-formed', (field, options) => {
      for (const chunkSize of CHUNK_SIZES) expect(scanInChunks(rawConnect(options), chunkSize)).toEqual({ reason: 'ill_formed_string', packet: 'CONNECT', field });
    });

    it('leaves a packet whose string runs past its end to the packet parser', () => {
      const truncated = Buffer.from([0x30, 0x04, 0x00, 0x10, 0xff, 0xfe]);
      expect(scanInChunks(truncated, 1)).toBeUndefined();
      const connect = rawConnect(credentials);
      expect(scanInChunks(Buffer.concat([Buffer.from([0x10, 12]), connect.subarray(2, 14)]), 2)).toBeUndefined();
    });
  });
});
