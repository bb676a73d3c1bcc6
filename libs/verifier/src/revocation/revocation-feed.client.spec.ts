import type { TokenSource } from '@tollgate/m2m-client';
import type { SequencedRevocationEvent } from './revocation-event.js';
import { RevocationFeedClient } from './revocation-feed.client.js';

type Step = 'refused' | 'unavailable' | { cutAfter: string[] } | { endAfter: string[] } | 'hang';

const EVENT = (seq: string) =>
  `id: ${seq}\nevent: revocation\ndata: ${JSON.stringify({ type: 'token.revoked', jti: `j${seq}`, exp: 1, seq, at: 0 })}\n\n`;

/** An SSE body that sends `blocks`, then ends, or errors as when the auth-server's process dies mid-stream. */
function stream(blocks: string[], ending: 'cut' | 'end'): Response {
  const encoder = new TextEncoder();
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent < blocks.length) controller.enqueue(encoder.encode(blocks[sent++]));
      else if (ending === 'cut') controller.error(new TypeError('terminated'));
      else controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

/**
 * A fetch that plays `steps` in order, one per connection attempt, and a clock whose sleeps return
 * at once but are recorded: the reconnect delays are read, not timed.
 */
function scriptedFeed(steps: Step[]) {
  const delays: number[] = [];
  const lastEventIds: (string | null)[] = [];
  const events: SequencedRevocationEvent[] = [];
  let hanging!: () => void;
  const reachedHang = new Promise<void>((resolve) => (hanging = resolve));
  const fetch = (async (_url: string, init: RequestInit) => {
    lastEventIds.push(new Headers(init.headers).get('last-event-id'));
    const step = steps.shift() ?? 'hang';
    if (step === 'refused') throw new TypeError('fetch failed');
    if (step === 'unavailable') return new Response('{}', { status: 503 });
    if (step === 'hang') {
      hanging();
      return new Promise((_resolve, reject) =>
        init.signal!.addEventListener('abort', () => reject(init.signal!.reason)),
      );
    }
    return 'cutAfter' in step ? stream(step.cutAfter, 'cut') : stream(step.endAfter, 'end');
  }) as typeof globalThis.fetch;
  const tokens: TokenSource = {
    getToken: async () => ({ value: 'feed-token', expiresAt: new Date(Date.now() + 60_000) }),
    invalidate: () => undefined,
  };
  const sut = new RevocationFeedClient({
    url: 'http://auth.test/api/revocations/stream',
    tokens,
    onEvent: (event) => events.push(event),
    fetch,
    minReconnectDelayMs: 200,
    maxReconnectDelayMs: 5_000,
    sleep: async (ms) => delays.push(ms),
  });
  return { sut, delays, lastEventIds, events, reachedHang };
}

describe(RevocationFeedClient.name, () => {
  it('after a long run of failures, reconnects after the minimum delay once a stream was established and then cut', async () => {
    const failures: Step[] = [
      'refused',
      'refused',
      'unavailable',
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
    ];
    const { sut, delays, lastEventIds, events, reachedHang } = scriptedFeed([
      ...failures,
      { cutAfter: [': connected\n\n', EVENT('41')] },
      'refused',
    ]);
    sut.start();
    await reachedHang;
    await sut.stop();

    expect(delays).toEqual([200, 400, 800, 1_600, 3_200, 5_000, 5_000, 5_000, 200, 400]);
    expect(events.map((event) => event.seq)).toEqual(['41']);
    // It resumes where the cut stream stopped.
    expect(lastEventIds.slice(-2)).toEqual(['41', '41']);
  });

  it('reconnects after the minimum delay when an established stream ends normally (token expiry)', async () => {
    const { sut, delays, reachedHang } = scriptedFeed([
      'refused',
      'refused',
      'refused',
      { endAfter: [': connected\n\n'] },
    ]);
    sut.start();
    await reachedHang;
    await sut.stop();
    expect(delays).toEqual([200, 400, 800, 200]);
  });

  it('keeps backing off while the server answers but never opens a stream (401, 503)', async () => {
    const { sut, delays, reachedHang } = scriptedFeed(['unavailable', 'unavailable', 'unavailable', 'unavailable']);
    sut.start();
    await reachedHang;
    await sut.stop();
    expect(delays).toEqual([200, 400, 800, 1_600]);
    expect(sut.status()).toMatchObject({ connected: false });
  });

  it('stops for good when stopped while it is still getting its token, instead of opening the stream afterwards', async () => {
    let tokenIssued!: () => void;
    const tokenGate = new Promise<void>((resolve) => (tokenIssued = resolve));
    let fetches = 0;
    const sut = new RevocationFeedClient({
      url: 'http://auth.test/api/revocations/stream',
      tokens: {
        getToken: async () => (await tokenGate, { value: 'feed-token', expiresAt: new Date(Date.now() + 60_000) }),
        invalidate: () => undefined,
      },
      onEvent: () => undefined,
      // A stream that stays open until aborted, as the auth-server's does until the token expires.
      fetch: ((_url: string, init: RequestInit) => {
        fetches++;
        init.signal!.throwIfAborted();
        return new Promise((_resolve, reject) =>
          init.signal!.addEventListener('abort', () => reject(init.signal!.reason)),
        );
      }) as typeof globalThis.fetch,
      sleep: async () => undefined,
    });
    sut.start();

    const stopped = sut.stop();
    tokenIssued();

    await expect(
      Promise.race([
        stopped.then(() => 'stopped'),
        new Promise((resolve) => setTimeout(resolve, 1_000, 'still running')),
      ]),
    ).resolves.toBe('stopped');
    expect(fetches).toBeLessThanOrEqual(1);
    expect(sut.status().connected).toBe(false);
  });
});
