/**
 * The `tollgate` CLI's OAuth client: public (RFC 6749 §2.1: it runs on people's machines and can keep
 * no secret), so it is identified by its id alone and may use only the device grant, whose credential
 * exists only after a signed-in person approves the request in the console.
 */
export const CLI_CLIENT = { id: 'tollgate-cli', name: 'Tollgate CLI' } as const;

/** How long a credential issued to the CLI lives, at most (the PAT policy's maximum may be shorter). */
export const CLI_CREDENTIAL_DAYS = 30;
