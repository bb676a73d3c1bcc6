/** What `tollgate` exits with (README: "The CLI"). Scripts branch on these. */
export const EXIT = {
  ok: 0,
  /** The server refused the request or failed (its problem is printed), or a check failed (verify: refused). */
  refused: 1,
  /** The command line was wrong (unknown command or option, missing argument). */
  usage: 2,
  /** Not signed in, or the stored credential was refused (expired, revoked): run `tollgate login`. */
  unauthenticated: 3,
  /** The auth-server could not be reached (network, timeout). */
  unreachable: 4,
} as const;

/** An error the CLI explains in one line and exits with. */
export class CliError extends Error {
  override name = 'CliError';

  constructor(
    message: string,
    readonly exitCode: number = EXIT.refused,
  ) {
    super(message);
  }
}
