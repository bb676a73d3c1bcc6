import { request } from 'node:http';

export interface RawRequest {
  method: string;
  /** Sent exactly as given (no normalisation of `..`, no re-encoding). */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface RawAnswer {
  /** 0 when the connection closed without an answer. */
  status: number;
  contentType: string;
  body: string;
}

/** One request on its own connection, with the exact path, headers and body bytes given (for hostile input that fetch would refuse or normalise); an event stream is cut once its status is known. */
export function sendRaw(base: string, raw: RawRequest): Promise<RawAnswer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const headers = {
      ...raw.headers,
      ...(raw.body !== undefined ? { 'content-length': String(Buffer.byteLength(raw.body)) } : {}),
    };
    const outgoing = request(
      { hostname, port, method: raw.method, path: raw.path, headers, agent: false, timeout: 30_000 },
      (response) => {
        const contentType = response.headers['content-type'] ?? '';
        if (contentType.startsWith('text/event-stream')) {
          // A stream (the revocation feed) never ends by itself: its status is the answer.
          response.destroy();
          resolve({ status: response.statusCode!, contentType, body: '' });
          return;
        }
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode!, contentType, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', () => resolve({ status: 0, contentType: '', body: '' }));
      },
    );
    outgoing.on('timeout', () => outgoing.destroy());
    outgoing.on('error', () => resolve({ status: 0, contentType: '', body: '' }));
    outgoing.end(raw.body);
  });
}
