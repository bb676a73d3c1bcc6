// Passkeys in the browser: the WebAuthn ceremonies through @simplewebauthn/browser, which turns the
// server's JSON options into navigator.credentials calls and their answers back into JSON (no
// markup involved, so nothing the Trusted Types policy would refuse).
import {
  type AuthenticationResponseJSON,
  browserSupportsWebAuthn,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  startAuthentication,
  startRegistration,
} from '@simplewebauthn/browser';
import { api, ApiError, type ApiOptions } from './api.js';

export function passkeysSupported(): boolean {
  return browserSupportsWebAuthn();
}

/** Asks for options at `optionsPath` (a POST), then for the passkey's answer to them. */
export async function passkeyAnswer(
  optionsPath: string,
  options: ApiOptions = {},
): Promise<AuthenticationResponseJSON> {
  const optionsJSON = await api<PublicKeyCredentialRequestOptionsJSON>('POST', optionsPath, undefined, options);
  return ceremony(() => startAuthentication({ optionsJSON }));
}

/** Creates a passkey for the options of POST /api/me/passkeys/options. */
export function createPasskey(optionsJSON: PublicKeyCredentialCreationOptionsJSON): Promise<RegistrationResponseJSON> {
  return ceremony(() => startRegistration({ optionsJSON }));
}

/** The browser's refusals in words: a cancelled prompt is the common one. */
async function ceremony<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const name = error instanceof Error ? ((error as { code?: string }).code ?? error.name) : '';
    if (/NotAllowed|ERROR_CEREMONY_ABORTED/.test(name) || (error instanceof Error && error.name === 'NotAllowedError'))
      throw new ApiError(0, 'The passkey prompt was closed or timed out. Try again when you are ready.');
    if (/InvalidState|ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED/.test(name))
      throw new ApiError(0, 'This device already holds a passkey for your account.');
    throw new ApiError(0, `The browser could not use a passkey: ${error instanceof Error ? error.message : error}`);
  }
}
