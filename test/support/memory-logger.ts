import { createLogger, type Logger } from '@tollgate/platform';
import { Writable } from 'node:stream';

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** The apps' logger (same serializers and redaction), keeping every line in memory, parsed, for assertions. */
export function memoryLogger(name: string, level = 'debug'): { logger: Logger; logs: LogLine[] } {
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logs.push(JSON.parse(line) as LogLine);
      callback();
    },
  });
  return { logger: createLogger({ name, level, destination: sink }), logs };
}
