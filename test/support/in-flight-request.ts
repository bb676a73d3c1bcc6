import { request as httpRequest } from 'node:http';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request the server has begun (it has read the headers) and whose body has not been sent yet. */
export interface InFlightRequest {
  /** Sends the body and resolves with the answer (rejects if the connection is closed without one). */
  finish(): Promise<HttpAnswer>;
  /** Drops the request without sending its body. */
  abandon(): void;
}

/**
 * Starts a request and resolves once the server has read its headers (it answered
 * `100 Continue`, RFC 9110 §10.1.1) and waits for the body: from then on the request is in flight
 * at the server, e.g. when it is told to shut down. `finish()` sends the body.
 */
export function beginRequest(
  url: string,
  { method = 'POST', headers = {}, body }: { method?: string; headers?: Record<string, string>; body: string },
): Promise<InFlightRequest> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, {
      method,
      headers: {
        ...headers,
        expect: '100-continue',
        'content-length': String(Buffer.byteLength(body)),
        connection: 'close',
      },
    });
    const answer = new Promise<HttpAnswer>((resolveAnswer, rejectAnswer) => {
      request.on('response', (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () =>
          resolveAnswer({ status: response.statusCode!, headers: response.headers, body: text }),
        );
        response.on('error', rejectAnswer);
      });
      request.on('error', (error) => {
        rejectAnswer(error);
        reject(error);
      });
    });
    answer.catch(() => undefined);
    request.on('continue', () =>
      resolve({
        finish: () => {
          request.end(body);
          return answer;
        },
        abandon: () => request.destroy(),
      }),
    );
    request.flushHeaders();
  });
}
