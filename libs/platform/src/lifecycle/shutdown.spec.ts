import { memoryLogger } from '../../../../test/support/memory-logger.js';
import { shutDown } from './shutdown.js';

describe(shutDown.name, () => {
  it('runs the steps in order and resolves 0 when all finish', async () => {
    const { logger, logs } = memoryLogger('app');
    const ran: string[] = [];
    const step = (name: string) => ({ name, run: async () => void ran.push(name) });

    const sut = await shutDown({ logger, steps: [step('requests'), step('hooks')] });

    expect(sut).toBe(0);
    expect(ran).toEqual(['requests', 'hooks']);
    expect(logs.filter((line) => line.level >= 50)).toEqual([]);
  });

  it('still runs the later steps after one fails, logs which, and resolves 1', async () => {
    const { logger, logs } = memoryLogger('app');
    const ran: string[] = [];

    const sut = await shutDown({
      logger,
      steps: [
        {
          name: 'in-flight HTTP requests',
          run: () => Promise.reject(new Error('2 connection(s) still busy after 5 s were closed')),
        },
        { name: 'buffered writes', run: async () => void ran.push('buffered writes') },
      ],
    });

    expect(sut).toBe(1);
    expect(ran).toEqual(['buffered writes']);
    expect(logs.filter((line) => line.level >= 50).map((line) => line.msg)).toEqual([
      'shutdown: in-flight HTTP requests did not finish: 2 connection(s) still busy after 5 s were closed',
    ]);
  });

  it('gives up at the deadline, naming the step still running, and resolves 1', async () => {
    const { logger, logs } = memoryLogger('app');
    const stuck = { name: 'buffered writes', run: () => new Promise<void>(() => undefined) };
    const never = vi.fn(async () => undefined);

    const sut = await shutDown({ logger, steps: [stuck, { name: 'database', run: never }], deadlineMs: 50 });

    expect(sut).toBe(1);
    expect(never).not.toHaveBeenCalled();
    expect(logs.filter((line) => line.level >= 50)).toEqual([
      expect.objectContaining({
        msg: 'shutdown did not finish within 0.05 s: still buffered writes; exiting anyway',
        step: 'buffered writes',
      }),
    ]);
  });
});
