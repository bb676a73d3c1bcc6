import { rawPublish } from '../../../../test/support/mqtt-packets.js';
import { PassThrough } from 'node:stream';
import type { FrameViolation } from '../hardening/mqtt-frame-scanner.js';
import { GuardedConnection } from './guarded-connection.js';

const peer = { remoteAddress: '127.0.0.1', transport: 'tcp' as const };

describe(GuardedConnection.name, () => {
  it('forwards reads and writes while packets are small', async () => {
    const connection = new PassThrough();
    const sut = new GuardedConnection(connection, { maxPacketSize: 1024, peer, onViolation: () => undefined });
    const received: Buffer[] = [];
    sut.on('data', (chunk: Buffer) => received.push(chunk));
    connection.write(rawPublish(10));
    await new Promise((resolve) => setImmediate(resolve));
    expect(Buffer.concat(received)).toEqual(rawPublish(10));
    const written: Buffer[] = [];
    connection.on('data', (chunk: Buffer) => written.push(chunk));
    sut.write(Buffer.from([0x20, 0x02, 0x00, 0x00]));
    await new Promise((resolve) => setImmediate(resolve));
    expect(Buffer.concat(written)).toEqual(Buffer.from([0x20, 0x02, 0x00, 0x00]));
    expect(sut.destroyed).toBe(false);
  });

  it('destroys the connection and reports when a packet is too large', async () => {
    const connection = new PassThrough();
    const violations: FrameViolation[] = [];
    const sut = new GuardedConnection(connection, { maxPacketSize: 1024, peer, onViolation: (violation) => violations.push(violation) });
    const received: Buffer[] = [];
    sut.on('data', (chunk: Buffer) => received.push(chunk));
    connection.write(rawPublish(4096).subarray(0, 5));
    await new Promise((resolve) => setImmediate(resolve));
    expect(violations).toEqual([{ reason: 'packet_too_large', announcedSize: rawPublish(4096).length, limit: 1024 }]);
    expect(received).toEqual([]);
    expect(sut.destroyed).toBe(true);
    expect(connection.destroyed).toBe(true);
  });
});
