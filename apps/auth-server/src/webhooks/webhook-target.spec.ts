import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendWebhook } from './webhook-sender.js';
import { checkWebhookUrl, guardedLookup, isPublicAddress, WebhookTargetRefused } from './webhook-target.js';

describe('webhook targets (SSRF)', () => {
  it('tells public addresses from loopback, private, link-local, mapped and reserved ones', () => {
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700::1111'])
      expect(isPublicAddress(address), address).toBe(true);
    for (const address of [
      '127.0.0.1',
      '10.0.0.1',
      '172.20.1.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd12::1',
      '::ffff:10.0.0.1',
      '64:ff9b::a00:1',
      'not-an-address',
    ])
      expect(isPublicAddress(address), address).toBe(false);
  });

  it('refuses at registration what can be seen in the URL itself', () => {
    expect(checkWebhookUrl('https://hooks.example.com/x', false).host).toBe('hooks.example.com');
    for (const url of ['http://127.0.0.1/x', 'http://localhost/x', 'http://a.localhost/x', 'http://[::1]/x'])
      expect(() => checkWebhookUrl(url, false), url).toThrow(WebhookTargetRefused);
    expect(checkWebhookUrl('http://127.0.0.1/x', true).hostname).toBe('127.0.0.1');
  });

  it('refuses at delivery a name that resolves to a private address, unless private networks are allowed', async () => {
    const lookup = guardedLookup(false);
    const error = await new Promise<Error | null>((resolve) => lookup('localhost', {}, (failure) => resolve(failure)));
    expect(error).toBeInstanceOf(WebhookTargetRefused);

    const received: string[] = [];
    const server = createServer((request, response) => {
      received.push(request.url!);
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const url = `http://localhost:${(server.address() as AddressInfo).port}/hook`;
    try {
      const attempt = { url, headers: { 'content-type': 'application/json' }, body: '{}' };
      expect(await sendWebhook(attempt, false)).toEqual({ error: expect.stringMatching(/private address/) });
      expect(received).toEqual([]);
      expect(await sendWebhook(attempt, true)).toEqual({ status: 200 });
      expect(received).toEqual(['/hook']);
    } finally {
      server.close();
    }
  });

  it('never follows a redirect: a 3xx is the answer of the attempt', async () => {
    const server = createServer((_request, response) =>
      response.writeHead(302, { location: 'http://10.0.0.1/' }).end(),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      expect(await sendWebhook({ url, headers: {}, body: '{}' }, true)).toEqual({ status: 302 });
    } finally {
      server.close();
    }
  });
});
