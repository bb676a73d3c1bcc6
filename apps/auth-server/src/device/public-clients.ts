/**
 * The public OAuth clients of the device grant (RFC 6749 §2.1: they run on people's machines and on
 * devices, and can keep no secret), identified by their id alone. What they receive exists only
 * after a signed-in person approves the request in the console.
 */

/** `tollgate login`: the credential is a PAT of the approving person. */
export const CLI_CLIENT = { id: 'tollgate-cli', name: 'Tollgate CLI' } as const;

/** A new device pairing itself: on approval it is registered as its own client, with the key it generated. */
export const PAIRING_CLIENT = { id: 'tollgate-device-pairing', name: 'Device pairing' } as const;

export const PUBLIC_CLIENT_IDS: readonly string[] = [CLI_CLIENT.id, PAIRING_CLIENT.id];

/** How long a credential issued to the CLI lives, at most (the PAT policy's maximum may be shorter). */
export const CLI_CREDENTIAL_DAYS = 30;
