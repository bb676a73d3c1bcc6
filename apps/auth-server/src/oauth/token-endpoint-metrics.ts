import { Injectable } from '@nestjs/common';
import { Metrics } from '@tollgate/platform';
import { OAuthError } from '@tollgate/platform/http';

const KNOWN_GRANTS = new Set([
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:token-exchange',
  'urn:ietf:params:oauth:grant-type:device_code',
]);

/**
 * The token endpoint's answers as Prometheus series: tokens issued per grant, client kind and
 * binding; refusals per grant and RFC 6749 error code. The grant type comes from the request, so an
 * unknown one counts as `other`, and no client id is ever a label.
 */
@Injectable()
export class TokenEndpointMetrics {
  private readonly issued;
  private readonly refused;

  constructor(metrics: Metrics) {
    this.issued = metrics.counter({
      name: 'tollgate_tokens_issued_total',
      help: 'Access tokens issued at the token endpoint, by grant type, client kind and binding (none, dpop, mtls)',
      labelNames: ['grant_type', 'client_kind', 'binding'],
    });
    this.refused = metrics.counter({
      name: 'tollgate_token_requests_refused_total',
      help: 'Token requests refused, by grant type and OAuth error code (invalid_client, invalid_grant, …)',
      labelNames: ['grant_type', 'error'],
    });
  }

  tokenIssued(grantType: string | undefined, clientKind: string, binding: string): void {
    this.issued.inc({ grant_type: grantOf(grantType), client_kind: clientKind, binding });
  }

  requestRefused(grantType: string | undefined, error: unknown): void {
    this.refused.inc({
      grant_type: grantOf(grantType),
      error: error instanceof OAuthError ? error.error : 'server_error',
    });
  }
}

function grantOf(grantType: string | undefined): string {
  return grantType && KNOWN_GRANTS.has(grantType) ? grantType : 'other';
}
