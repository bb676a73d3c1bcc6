import { rawConnect, rawPublish } from '../../../../test/support/mqtt-packets.js';
import { PassThrough } from 'node:stream';
import type { FrameViolation } from '../hardening/mqtt-frame-scanner.js';
import { guardConnection, peerOf } from './guarded-connection.js';

const peer = { remoteAddress: '127.0.0.1', transport: 'tcp' as const };
const CONNECT = rawConnect({ clientId: 'hub-1', username: 'hub-1', password: 'token' });
const nextTick = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A client connection behind the guard, read as aedes reads it (`read()` on 'readable'):
 * `fromPeer` is what the client sends, `received` what the broker's parser got.
 */
function guarded() {
  // What is written to a PassThrough comes out of it: writing to it plays the peer sending.
  const connection = new PassThrough();
  const fromPeer = connection;
  const violations: FrameViolation[] = [];
  const sut = guardConnection(connection, {
    maxPacketSize: 1024,
    peer,
    onViolation: (violation) => violations.push(violation),
  });
  const received: Buffer[] = [];
  sut.on('readable', () => {
    for (let chunk = sut.read() as Buffer | null; chunk; chunk = sut.read() as Buffer | null) received.push(chunk);
  });
  return { sut, connection, fromPeer, violations, received };
}

describe(guardConnection.name, () => {
  it('hands aedes the connection itself, with its peer, and passes reads on while packets are small', async () => {
    const { sut, connection, fromPeer, violations, received } = guarded();
    expect(sut).toBe(connection);
    expect(peerOf(sut)).toEqual(peer);
    fromPeer.write(CONNECT);
    fromPeer.write(rawPublish(10));
    await nextTick();
    expect(Buffer.concat(received)).toEqual(Buffer.concat([CONNECT, rawPublish(10)]));
    expect(violations).toEqual([]);
    expect(sut.destroyed).toBe(false);
  });

  it('destroys the connection and reports when a packet is too large', async () => {
    const { sut, fromPeer, violations, received } = guarded();
    fromPeer.write(CONNECT);
    await nextTick();
    fromPeer.write(rawPublish(4096).subarray(0, 5));
    await nextTick();
    expect(violations).toEqual([{ reason: 'packet_too_large', announcedSize: rawPublish(4096).length, limit: 1024 }]);
    expect(Buffer.concat(received)).toEqual(CONNECT);
    expect(sut.destroyed).toBe(true);
  });

  it('destroys the connection and reports a protocol violation, passing on none of the chunk that holds it', async () => {
    const { sut, fromPeer, violations, received } = guarded();
    fromPeer.write(CONNECT);
    await nextTick();
    fromPeer.write(Buffer.concat([rawPublish(10), Buffer.from([0xc0, 0x02, 0x00, 0x00])]));
    await nextTick();
    expect(violations).toEqual([{ reason: 'protocol_violation', packet: 'PINGREQ', rule: 'body_not_empty' }]);
    expect(Buffer.concat(received)).toEqual(CONNECT);
    expect(sut.destroyed).toBe(true);
  });

  it('knows no peer for a connection it did not guard', () => {
    expect(peerOf(new PassThrough())).toBeUndefined();
    expect(peerOf(undefined)).toBeUndefined();
  });
});
