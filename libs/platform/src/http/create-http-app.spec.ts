import { Body, Controller, Get, Module, Param, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { connect } from 'node:net';
import { pino } from 'pino';
import { vi } from 'vitest';
import { createLogger } from '../logging/logger.js';
import { createHttpApp } from './create-http-app.js';

@Controller()
class EchoController {
  @Get('things/:id')
  get(@Param('id') id: string): { id: string } {
    return { id };
  }

  @Post('things')
  create(@Body() body: unknown): unknown {
    return body;
  }

  @Get('oauth/things/:id')
  oauth(@Param('id') id: string): { id: string } {
    return { id };
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Sends `request` as written on a fresh connection and reads the answer until the server closes it. */
function rawRequest(port: number, request: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, body] = text.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) });
    });
  });
}

describe(createHttpApp.name, () => {
  let app: NestFastifyApplication;
  let base: string;
  let port: number;

  beforeAll(async () => {
    app = await createHttpApp(EchoModule, { logger: pino({ level: 'silent' }), oauthPathPrefix: '/oauth/' });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    port = Number(new URL(base).port);
  });
  afterAll(() => app.close());

  const problem = (status: number, title: string) => ({
    type: 'about:blank',
    title,
    status,
    detail: expect.any(String),
  });

  describe('refusals before the request reaches Nest are problem details', () => {
    it('answers 431 to 20 KB of header fields', async () => {
      const answer = await rawRequest(
        port,
        `GET /things/1 HTTP/1.1\r\nHost: test\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`,
      );
      expect(answer).toEqual({
        status: 431,
        headers: expect.objectContaining({ 'content-type': 'application/problem+json', connection: 'close' }),
        body: problem(431, 'Request Header Fields Too Large'),
      });
    });

    it('answers 431 to a 20 KB URL (the request line counts toward the same limit)', async () => {
      const answer = await rawRequest(
        port,
        `GET /things/1?padding=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: test\r\n\r\n`,
      );
      expect(answer).toEqual({
        status: 431,
        headers: expect.objectContaining({ 'content-type': 'application/problem+json' }),
        body: problem(431, 'Request Header Fields Too Large'),
      });
    });

    it('answers 431 on the OAuth endpoints in their own error form (RFC 6749 §5.2)', async () => {
      const answer = await rawRequest(
        port,
        `POST /oauth/token HTTP/1.1\r\nHost: test\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`,
      );
      expect(answer).toEqual({
        status: 431,
        headers: expect.objectContaining({ 'content-type': 'application/json', connection: 'close' }),
        body: { error: 'invalid_request', error_description: expect.any(String) },
      });
    });

    it('answers 400 to a request that is not HTTP', async () => {
      const answer = await rawRequest(port, 'NOT HTTP AT ALL\r\n\r\n');
      expect(answer).toEqual({
        status: 400,
        headers: expect.objectContaining({ 'content-type': 'application/problem+json' }),
        body: problem(400, 'Bad Request'),
      });
    });

    it('answers 414 to a path segment past the router’s limit, without echoing it', async () => {
      const response = await fetch(`${base}/things/${'k'.repeat(300)}`);
      expect(response.status).toBe(414);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const body = await response.json();
      expect(body).toEqual(problem(414, 'URI Too Long'));
      expect(JSON.stringify(body)).not.toContain('kkkk');
    });

    it('answers 400 to malformed percent-encoding in the path', async () => {
      const response = await fetch(`${base}/things/%ED%A0%80`);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toEqual(problem(400, 'Bad Request'));
    });

    it('answers in RFC 6749 form under the OAuth prefix', async () => {
      const response = await fetch(`${base}/oauth/things/${'k'.repeat(300)}`);
      expect(response.status).toBe(414);
      expect(await response.json()).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
    });
  });

  describe('text must be well-formed Unicode', () => {
    const post = (json: string) =>
      fetch(`${base}/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json });

    it.each([
      ['a lone high surrogate in a value', '{"name":"ab\\ud800"}'],
      ['a lone low surrogate in a value', '{"name":"\\udc00ab"}'],
      ['swapped halves of a pair', '{"name":"\\ude00\\ud83d"}'],
      ['a lone surrogate in a key', '{"\\ud800":"x"}'],
      ['a lone surrogate in a nested array', '{"grants":[{"scopes":["ok","\\udbff"]}]}'],
    ])('refuses %s with a 400 problem', async (_name, json) => {
      const response = await post(json);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toEqual({
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        detail: 'The request contains a lone UTF-16 surrogate (text must be well-formed Unicode)',
      });
    });

    it('accepts a surrogate pair (an emoji), escaped or not', async () => {
      for (const json of ['{"name":"deploy \\ud83d\\ude80"}', '{"name":"deploy 🚀"}']) {
        const response = await post(json);
        expect(response.status).toBe(201);
        expect(await response.json()).toEqual({ name: 'deploy 🚀' });
      }
    });

    it('still refuses NUL', async () => {
      const response = await post('{"name":"a\\u0000b"}');
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ detail: 'The request contains a NUL character' });
    });
  });

  describe('the request line', () => {
    /** The request lines of one GET, and how many child loggers the request made pino build. */
    async function requestLog(level: string, headers: Record<string, string> = {}) {
      const lines: Record<string, unknown>[] = [];
      const destination = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
      const logger = createLogger({ name: 'test', level, destination });
      const logged = await createHttpApp(EchoModule, { logger });
      try {
        await logged.listen(0, '127.0.0.1');
        const children = vi.spyOn(logger, 'child');
        await fetch(`${await logged.getUrl()}/things/7`, { headers });
        return { lines: lines.filter((line) => line.msg === 'request'), childLoggers: children.mock.calls.length };
      } finally {
        await logged.close();
      }
    }

    const requestLines = async (level: string, headers: Record<string, string> = {}) =>
      (await requestLog(level, headers)).lines;

    it('carries the request id the caller sent, with the route, status and time', async () => {
      const [line] = await requestLines('info', { 'x-request-id': 'trace-me-42' });

      expect(line).toMatchObject({ reqId: 'trace-me-42', req: { method: 'GET', url: '/things/7' }, status: 200 });
      expect(line.ms).toEqual(expect.any(Number));
    });

    it('carries a generated id when the caller sent none', async () => {
      const [line] = await requestLines('info');

      expect(line.reqId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('is not written above info, and the request builds no child logger then', async () => {
      expect(await requestLog('warn')).toEqual({ lines: [], childLoggers: 0 });
    });
  });
});
