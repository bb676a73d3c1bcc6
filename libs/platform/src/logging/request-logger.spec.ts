import { Writable } from 'node:stream';
import { vi } from 'vitest';
import { createLogger } from './logger.js';
import { requestLogger } from './request-logger.js';

/** A Tollgate logger at `level` writing into memory, and the lines it wrote, parsed, without their time. */
function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        const { time: _time, ...rest } = JSON.parse(line) as Record<string, unknown>;
        lines.push(rest);
      }
      callback();
    },
  });
  return { parent: createLogger({ name: 'test', level, destination }), lines };
}

describe(requestLogger.name, () => {
  const bindings = { reqId: 'req-1' };

  it('builds no child logger for a line below the level, and writes nothing', () => {
    const { parent, lines } = capture('warn');
    const child = vi.spyOn(parent, 'child');
    const sut = requestLogger(parent, bindings);

    sut.info({ status: 200 }, 'request');
    sut.debug('detail');

    expect(child).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
  });

  it('writes a line at an enabled level exactly as pino’s child logger would', () => {
    const { parent, lines } = capture('info');
    const sut = requestLogger(parent, bindings);

    sut.info({ status: 200, ms: 3 }, 'request %s', 'done');
    parent.child(bindings).info({ status: 200, ms: 3 }, 'request %s', 'done');
    sut.warn(new Error('it broke'));
    parent.child(bindings).warn(new Error('it broke'));

    expect(lines).toHaveLength(4);
    expect(lines[0]).toEqual(lines[1]);
    expect(lines[0]).toMatchObject({ reqId: 'req-1', status: 200, msg: 'request done', level: 30 });
    const withoutStack = ({ err, ...rest }: Record<string, unknown>) => ({
      ...rest,
      err: { ...(err as object), stack: undefined },
    });
    expect(withoutStack(lines[2])).toEqual(withoutStack(lines[3]));
    expect(lines[2]).toMatchObject({ reqId: 'req-1', err: { message: 'it broke' } });
  });

  it('builds the child once, however many lines the request writes', () => {
    const { parent, lines } = capture('info');
    const child = vi.spyOn(parent, 'child');
    const sut = requestLogger(parent, bindings);

    sut.info('one');
    sut.error('two');

    expect(child).toHaveBeenCalledOnce();
    expect(lines.map((line) => line.msg)).toEqual(['one', 'two']);
  });

  it('hands out children that carry the request’s bindings and their own', () => {
    const { parent, lines } = capture('info');

    requestLogger(parent, bindings).child({ plugin: 'x' }).info('from a plugin');

    expect(lines[0]).toMatchObject({ reqId: 'req-1', plugin: 'x', msg: 'from a plugin' });
  });

  it('follows a level set on it, and a route’s own level given as an option', () => {
    const { parent, lines } = capture('warn');
    const sut = requestLogger(parent, bindings);

    sut.debug('hidden');
    sut.level = 'debug';
    sut.debug('shown');
    requestLogger(parent, { reqId: 'req-2' }, { level: 'trace' }).trace('route trace');

    expect(sut.level).toBe('debug');
    expect(parent.level).toBe('warn');
    expect(lines.map((line) => [line.reqId, line.msg])).toEqual([
      ['req-1', 'shown'],
      ['req-2', 'route trace'],
    ]);
  });
});
