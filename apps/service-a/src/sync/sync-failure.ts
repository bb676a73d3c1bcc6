import {
  AuthServerUnavailableError,
  DiscoveryError,
  InvalidTokenResponseError,
  TokenRequestError,
} from '@tollgate/m2m-client';
import { CrmRefusedError, CrmResponseError, CrmUnavailableError, CrmUnstableError } from '../crm/crm.errors.js';
import type { SyncRunEntity } from '../audience/sync-run.entity.js';

/** Why a sync failed: the HTTP status POST /sync answers, a stable code, and words for an operator. */
export interface SyncFailure {
  status: number;
  code: string;
  detail: string;
}

/** A sync was cancelled because service-a is shutting down. */
export class SyncCancelledError extends Error {
  override name = 'SyncCancelledError';
}

/** A failed sync, already recorded as `run`. */
export class SyncFailedError extends Error {
  override name = 'SyncFailedError';

  constructor(
    readonly failure: SyncFailure,
    readonly run: SyncRunEntity | undefined,
    options?: ErrorOptions,
  ) {
    super(failure.detail, options);
  }
}

/** Maps what went wrong upstream to 502 (a peer refused or misbehaved), 503 (unreachable) or 504 (too slow). */
export function describeSyncFailure(error: unknown): SyncFailure {
  if (error instanceof AuthServerUnavailableError) {
    return { status: error.timedOut ? 504 : 503, code: 'auth_server_unavailable', detail: error.message };
  }
  if (error instanceof TokenRequestError) return { status: 502, code: 'token_request_refused', detail: error.message };
  if (error instanceof InvalidTokenResponseError || error instanceof DiscoveryError) {
    return { status: 502, code: 'auth_server_invalid_response', detail: error.message };
  }
  if (error instanceof CrmUnavailableError) {
    return {
      status: error.details.timedOut ? 504 : error.details.status ? 502 : 503,
      code: 'service_b_unavailable',
      detail: error.message,
    };
  }
  if (error instanceof CrmRefusedError) return { status: 502, code: 'service_b_refused_token', detail: error.message };
  if (error instanceof CrmResponseError)
    return { status: 502, code: 'service_b_invalid_response', detail: error.message };
  if (error instanceof CrmUnstableError)
    return { status: 503, code: 'service_b_unstable', detail: `${error.message}; try again` };
  if (error instanceof SyncCancelledError) return { status: 503, code: 'sync_cancelled', detail: error.message };
  return {
    status: 500,
    code: 'sync_failed',
    detail: 'The sync failed inside service-a; the audience is unchanged (see the logs)',
  };
}
