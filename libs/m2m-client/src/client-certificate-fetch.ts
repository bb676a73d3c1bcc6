import { request } from 'node:https';

/** A TLS client certificate (PEM), and the CA certificates the server's must chain to (default: the system's). */
export interface ClientCertificate {
  cert: string;
  key: string;
  ca?: string;
}

/**
 * A fetch that presents a client certificate in the TLS handshake (RFC 8705's mTLS endpoint), for
 * the requests the token provider makes: https only, redirects never followed, the body read whole.
 * (Node's fetch cannot present one without undici's own Agent.)
 */
export function clientCertificateFetch(certificate: ClientCertificate): typeof fetch {
  return (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.protocol !== 'https:')
        return reject(new TypeError(`An mTLS request needs an https URL, not ${url.href}`));
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      const call = request(url, {
        method: init.method ?? 'GET',
        headers,
        cert: certificate.cert,
        key: certificate.key,
        ...(certificate.ca && { ca: certificate.ca }),
        signal: init.signal ?? undefined,
      });
      call.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(response.headers))
            for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value])
              responseHeaders.append(name, one);
          resolve(new Response(Buffer.concat(chunks), { status: response.statusCode, headers: responseHeaders }));
        });
      });
      call.on('error', reject);
      const body = init.body;
      call.end(body === undefined || body === null ? undefined : String(body));
    });
}
