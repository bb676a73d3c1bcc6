import { createAuthServerApi, describeErrorBody, expectAnswer, formRequest } from '@tollgate/api-client';
import type { Logger } from '@tollgate/platform';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeviceKey } from './device-key.js';

/** The public client devices pair with (apps/auth-server/src/device/public-clients.ts). */
const PAIRING_CLIENT_ID = 'tollgate-device-pairing';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const SLOW_DOWN_SECONDS = 5;
/** After a failed or expired attempt, the device asks for a new code this much later. */
const RETRY_DELAY_MS = 5_000;

/** What /health shows while the device waits for a person to approve it. */
export interface PairingStatus {
  userCode: string;
  verificationUri: string;
  expiresAt: string;
}

export interface PairingOptions {
  /** Where the auth-server is reached: its issuer URL, or AUTH_INTERNAL_URL. */
  authServerUrl: string;
  clientId: string;
  /** The broker's resource indicator: the device's own topics there. */
  resource: string;
  key: DeviceKey;
  logger: Logger;
  signal: AbortSignal;
  /** The code to show, or undefined once the pairing is over. */
  onStatus: (status: PairingStatus | undefined) => void;
}

/**
 * A device with no registration pairs itself with the device grant (RFC 8628): it asks with its id
 * and the public half of its key, shows the code in its log and on /health, and polls until an
 * administrator approves it in the console. Then it is its own client and signs in with its key.
 * A denied or expired code is followed by a new one, until the process is stopped.
 */
export async function pairDevice(options: PairingOptions): Promise<void> {
  while (!options.signal.aborted) {
    try {
      if (await attempt(options)) return;
    } catch (error) {
      // The auth-server unreachable or refusing: try again (a device waits; it has nothing else to do).
      options.logger.warn({ err: error }, 'Could not ask the auth-server to pair; trying again');
    }
    options.onStatus(undefined);
    await sleep(RETRY_DELAY_MS, undefined, { signal: options.signal }).catch(() => undefined);
  }
}

/** One code, polled until approved (true), or denied or expired (false). */
async function attempt(options: PairingOptions): Promise<boolean> {
  const api = createAuthServerApi({ baseUrl: options.authServerUrl });
  const started = await expectAnswer(
    api.POST(
      '/oauth/device_authorization',
      formRequest({
        client_id: PAIRING_CLIENT_ID,
        scope: 'device',
        resource: options.resource,
        device_id: options.clientId,
        device_jwk: JSON.stringify(options.key.publicJwk),
      }),
    ),
    200,
  );
  const expiresAt = new Date(Date.now() + started.expires_in * 1000);
  options.onStatus({
    userCode: started.user_code,
    verificationUri: started.verification_uri,
    expiresAt: expiresAt.toISOString(),
  });
  options.logger.warn(
    { userCode: started.user_code, verificationUri: started.verification_uri },
    `Not paired yet: enter the code ${started.user_code} at ${started.verification_uri} (an administrator approves it)`,
  );
  let interval = started.interval ?? 5;
  while (!options.signal.aborted && Date.now() < expiresAt.getTime()) {
    await sleep(interval * 1000, undefined, { signal: options.signal }).catch(() => undefined);
    if (options.signal.aborted) return false;
    const { data, error } = await api.POST(
      '/oauth/token',
      formRequest({ grant_type: DEVICE_GRANT, client_id: PAIRING_CLIENT_ID, device_code: started.device_code }),
    );
    if (data) {
      const clientId = data.client_id ?? options.clientId;
      options.key.markPaired(clientId);
      options.onStatus(undefined);
      options.logger.info(`Paired as ${clientId}: signing in with the device's key from now on`);
      return true;
    }
    const code = (error as { error?: string } | undefined)?.error;
    if (code === 'authorization_pending') continue;
    if (code === 'slow_down') {
      interval += SLOW_DOWN_SECONDS;
      continue;
    }
    options.logger.warn(`The pairing did not go through (${describeErrorBody(error)}); asking for a new code`);
    return false;
  }
  return false;
}
