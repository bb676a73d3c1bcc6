import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, isPublicAddress } from './webhook-target.js';

export interface WebhookAttempt {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What one attempt gave: the receiver's status, or why there was none. */
export type AttemptResult = { status: number } | { error: string };

const TIMEOUT_MS = 10_000;
/** What is read of an answer: receivers are expected to answer quickly and briefly. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * POSTs one webhook, to the address the guarded lookup checked, never following a redirect (a
 * 3xx is a failed attempt, as Stripe and Svix count it), within 10 seconds.
 */
export function sendWebhook(attempt: WebhookAttempt, allowPrivateNetworks: boolean): Promise<AttemptResult> {
  const url = new URL(attempt.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivateNetworks && isIP(host) && !isPublicAddress(host))
    return Promise.resolve({ error: 'the URL is a private address' });
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const outgoing = request(url, {
      method: 'POST',
      headers: { ...attempt.headers, 'content-length': String(Buffer.byteLength(attempt.body)) },
      lookup: guardedLookup(allowPrivateNetworks),
      timeout: TIMEOUT_MS,
    });
    outgoing.on('response', (response) => {
      let read = 0;
      response.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_ANSWER_BYTES) response.destroy();
      });
      response.on('error', () => undefined);
      response.on('close', () => resolve({ status: response.statusCode ?? 0 }));
      response.resume();
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    outgoing.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ error: (error.message || error.code || 'failed').slice(0, 255) }),
    );
    outgoing.end(attempt.body);
  });
}
