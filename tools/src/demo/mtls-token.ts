import { basicAuthorization } from '@tollgate/api-client';
import { request } from 'node:https';
import type { IssuedCertificate } from '../certificates/development-ca.js';

/**
 * A client-credentials token from the auth-server's mTLS endpoint (RFC 8705), over a TLS connection
 * presenting `certificate`: the token is bound to it. Resolves with the OAuth answer as it came.
 */
export function mtlsClientCredentials(
  tokenEndpoint: string,
  client: { id: string; secret: string },
  params: Record<string, string>,
  tls: { ca: string; certificate: IssuedCertificate },
): Promise<{ status: number; body: Record<string, any> }> {
  return new Promise((resolve, reject) => {
    const call = request(tokenEndpoint, {
      method: 'POST',
      ca: tls.ca,
      cert: tls.certificate.certificatePem,
      key: tls.certificate.privateKeyPem,
      headers: {
        authorization: basicAuthorization(client.id, client.secret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      timeout: 10_000,
    });
    call.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        try {
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) });
        } catch {
          reject(new Error(`the mTLS token endpoint answered ${response.statusCode} without JSON`));
        }
      });
    });
    call.on('timeout', () => call.destroy(new Error('the mTLS token endpoint did not answer within 10 s')));
    call.on('error', reject);
    call.end(new URLSearchParams({ grant_type: 'client_credentials', ...params }).toString());
  });
}
