import { context, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { generateCredential } from '@tollgate/credentials';
import { Writable } from 'node:stream';
import { createLogger, PinoLoggerService } from './logger.js';

const KEY = generateCredential('api_key', { environment: 'live' });
const PAT = generateCredential('pat');
const SECRET = generateCredential('client_secret');
const JWT =
  'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJzZXJ2aWNlLWEiLCJzY29wZSI6ImNvbnRhY3RzOnJlYWQifQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';
const SECRETS = [KEY, PAT, SECRET, JWT, 'hunter2'];

/** createLogger writing into memory: the raw lines, as they would reach standard output. */
function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  return { sut: createLogger({ name: 'test', level: 'debug', destination }), lines };
}

function expectNoSecret(lines: string[]): void {
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    for (const secret of SECRETS) expect(line, line).not.toContain(secret);
    // Nothing of a credential survives beyond its prefix.
    for (const credential of [KEY, PAT, SECRET]) expect(line).not.toContain(credential.slice(-12));
  }
}

describe(createLogger.name, () => {
  it('redacts credentials in the request line’s URL, under any parameter name', () => {
    const { sut, lines } = capture();

    sut.info(
      {
        req: { id: '1', method: 'GET', url: `/contacts?x-api-key=${KEY}&q=${JWT}&anything=${PAT}`, ip: '10.0.0.1' },
        status: 400,
        ms: 1,
      },
      'request',
    );

    expectNoSecret(lines);
    expect(JSON.parse(lines[0]).req).toEqual({
      id: '1',
      method: 'GET',
      url: '/contacts?x-api-key=tgk_live_[REDACTED]&q=[REDACTED JWT]&anything=tgp_[REDACTED]',
      remoteAddress: '10.0.0.1',
    });
  });

  it('redacts the device grant’s codes in a logged URL (the console link carries the user code)', () => {
    const { sut, lines } = capture();
    sut.info(
      { req: { id: '2', method: 'GET', url: '/console/device?user_code=BCDF-GHJK&x=1' }, status: 200 },
      'request',
    );
    expect(JSON.parse(lines[0]).req.url).toBe('/console/device?user_code=[REDACTED]&x=1');
    expect(lines[0]).not.toContain('BCDF-GHJK');
  });

  it('redacts credentials in any header, any body field and the message, not only known names', () => {
    const { sut, lines } = capture();

    sut.warn(
      {
        headers: { 'x-forwarded-credential': KEY, 'x-upstream': `Bearer ${JWT}` },
        body: { notes: PAT, nested: [{ value: SECRET }] },
      },
      `odd request with ${KEY}`,
    );

    expectNoSecret(lines);
    expect(JSON.parse(lines[0])).toMatchObject({
      headers: { 'x-forwarded-credential': 'tgk_live_[REDACTED]', 'x-upstream': 'Bearer [REDACTED JWT]' },
      body: { notes: 'tgp_[REDACTED]', nested: [{ value: 'tgs_[REDACTED]' }] },
      msg: 'odd request with tgk_live_[REDACTED]',
    });
  });

  it('redacts errors: message, stack and their own fields', () => {
    const { sut, lines } = capture();
    const error = Object.assign(new Error(`connect to postgres://app:hunter2@db/app refused ${SECRET}`), {
      input: PAT,
    });

    sut.error({ err: error }, 'failed');
    sut.error(error);

    expectNoSecret(lines);
    expect(JSON.parse(lines[0]).err.message).toBe('connect to postgres://app:***@db/app refused tgs_[REDACTED]');
  });

  it('redacts Nest logger lines (PinoLoggerService)', () => {
    const { sut, lines } = capture();
    const nest = new PinoLoggerService(sut);

    nest.log(`listening; database postgres://app:hunter2@db/app`, 'Main');
    nest.warn({ msg: 'odd', token: KEY, other: PAT }, 'Guard');
    nest.error(`failed with ${JWT}`, `Error: ${SECRET}\n    at x`, 'Errors');

    expectNoSecret(lines);
  });

  describe('in a trace', () => {
    const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
    const SPAN_ID = 'b7ad6b7169203331';
    beforeAll(() => context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()));
    afterAll(() => context.disable());

    const inSpan = (traceFlags: TraceFlags, write: () => void) =>
      context.with(trace.setSpanContext(context.active(), { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags }), write);

    it('writes the active span’s trace and span ids, under OpenTelemetry’s log-correlation names, across awaits', async () => {
      const { sut, lines } = capture();

      await inSpan(TraceFlags.SAMPLED, async () => {
        sut.info('before');
        await new Promise((resolve) => setImmediate(resolve));
        new PinoLoggerService(sut).log('after', 'Nest');
      });
      inSpan(TraceFlags.NONE, () => sut.info('unsampled'));
      sut.info('outside');

      const [before, after, unsampled, outside] = lines.map((line) => JSON.parse(line));
      const fields = { trace_id: TRACE_ID, span_id: SPAN_ID, trace_flags: '01' };
      expect(before).toMatchObject({ msg: 'before', ...fields });
      expect(after).toMatchObject({ msg: 'after', context: 'Nest', ...fields });
      expect(unsampled).toMatchObject({ trace_id: TRACE_ID, trace_flags: '00' });
      expect(outside).not.toHaveProperty('trace_id');
      expect(outside).not.toHaveProperty('span_id');
    });
  });
});
