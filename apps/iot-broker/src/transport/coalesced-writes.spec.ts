import { Duplex } from 'node:stream';
import { coalesceWrites } from './coalesced-writes.js';

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A connection that records how its bytes leave: one entry per system call it would make. */
function recordingConnection() {
  const sent: string[][] = [];
  const connection = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      sent.push([chunk.toString()]);
      callback();
    },
    writev(chunks, callback) {
      sent.push(chunks.map(({ chunk }) => String(chunk)));
      callback();
    },
  });
  return { connection, sent };
}

describe(coalesceWrites.name, () => {
  it('sends what is written in one turn of the event loop in one call, in order, and nothing before the turn ends', async () => {
    const { connection, sent } = recordingConnection();
    const sut = coalesceWrites(connection);
    expect(sut).toBe(connection);
    sut.write('CONNACK');
    sut.write('PUBLISH 1');
    process.nextTick(() => sut.write('PUBLISH 2'));
    await Promise.resolve();
    expect(sent).toEqual([]);
    await turn();
    expect(sent).toEqual([['CONNACK', 'PUBLISH 1', 'PUBLISH 2']]);
  });

  it('holds each turn on its own', async () => {
    const { connection, sent } = recordingConnection();
    const sut = coalesceWrites(connection);
    sut.write('a');
    await turn();
    sut.write('b');
    sut.write('c');
    await turn();
    expect(sent).toEqual([['a'], ['b', 'c']]);
  });

  it('sends what it holds before the connection is destroyed, and after end()', async () => {
    const destroyed = recordingConnection();
    coalesceWrites(destroyed.connection).write('CONNACK 5');
    destroyed.connection.destroy();
    expect(destroyed.sent).toEqual([['CONNACK 5']]);

    const ended = recordingConnection();
    const sut = coalesceWrites(ended.connection);
    sut.write('PUBACK');
    sut.end('last');
    await turn();
    expect(ended.sent).toEqual([['PUBACK', 'last']]);
  });

  it('holds no more than the high-water mark: past it, what is held is sent at once and backpressure signalled', async () => {
    const { connection, sent } = recordingConnection();
    const sut = coalesceWrites(connection);
    const drained = new Promise((resolve) => sut.once('drain', resolve));
    expect(sut.write(Buffer.alloc(1024))).toBe(true);
    expect(sent).toHaveLength(0);
    expect(sut.write(Buffer.alloc(connection.writableHighWaterMark))).toBe(false);
    expect(sent.map((chunks) => chunks.length)).toEqual([2]);
    await drained;
    sut.write('after');
    await turn();
    expect(sent.map((chunks) => chunks.length)).toEqual([2, 1]);
  });
});
