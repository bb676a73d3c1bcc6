import { RAW_PINGREQ, rawPublish } from '../../../../test/support/mqtt-packets.js';
import { MqttFrameScanner } from './mqtt-frame-scanner.js';

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
});
