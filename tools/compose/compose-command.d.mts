/** Types of compose-command.mjs. */
export function composeCommand(
  run?: (command: string, args: string[], options: { encoding: 'utf8' }) => { status: number | null; stdout: string },
): { command: string; args: string[]; version: string };
