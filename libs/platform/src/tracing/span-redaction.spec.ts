import type { Span } from '@opentelemetry/api';
import type { IncomingMessage } from 'node:http';
import { isProbe, pathOf, redactedQuery, redactPathQuery } from './span-redaction.js';

describe('span redaction', () => {
  it('knows a probe by its path, whatever its query', () => {
    expect(isProbe('/health')).toBe(true);
    expect(isProbe('/health?verbose=1')).toBe(true);
    expect(isProbe('/metrics')).toBe(true);
    expect(isProbe('/healthz')).toBe(false);
    expect(isProbe('/contacts')).toBe(false);
    expect(isProbe(undefined)).toBe(false);
  });

  it('keeps the path of a request target and drops its query', () => {
    expect(pathOf('/contacts?access_token=tgp_secret')).toBe('/contacts');
    expect(pathOf('/contacts')).toBe('/contacts');
    expect(pathOf('?x=1')).toBe('/');
    expect(pathOf(undefined)).toBe('/');
  });

  it('replaces a query with REDACTED, on the HTTP span and on the Fastify span', () => {
    const request = (url: string) => ({ url }) as IncomingMessage;
    expect(redactedQuery(request('/oauth/token?client_secret=tgs_secret'))).toEqual({ 'url.query': 'REDACTED' });
    expect(redactedQuery(request('/oauth/token'))).toEqual({});
    const setAttribute = vi.fn();
    redactPathQuery({ setAttribute } as unknown as Span, '/contacts?api_key=tgk_secret');
    redactPathQuery({ setAttribute } as unknown as Span, '/contacts');
    expect(setAttribute.mock.calls).toEqual([['url.path', '/contacts']]);
  });
});
