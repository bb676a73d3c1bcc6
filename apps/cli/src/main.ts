#!/usr/bin/env node
import { TollgateApiError } from '@tollgate/api-client';
import { ConfigError } from '@tollgate/platform';
import { CommanderError } from 'commander';
import { CliError, EXIT } from './exit-codes.js';
import { createProgram } from './program.js';

/** Why a command failed, in one line, and the exit code scripts branch on (README: "The CLI"). */
function explain(error: unknown): { message: string; exitCode: number } {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof ConfigError) return { message: error.message, exitCode: EXIT.usage };
  if (error instanceof TollgateApiError) {
    if (error.status === 401)
      return { message: `${error.message}: sign in again with \`tollgate login\``, exitCode: EXIT.unauthenticated };
    return { message: error.message, exitCode: EXIT.refused };
  }
  if (error instanceof TypeError || (error instanceof DOMException && error.name === 'TimeoutError')) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return {
      message: `The auth-server could not be reached (${cause?.code ?? cause?.message ?? error.message})`,
      exitCode: EXIT.unreachable,
    };
  }
  return { message: error instanceof Error ? error.message : String(error), exitCode: EXIT.refused };
}

const program = createProgram();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and the version are not failures; commander has printed the usage error already.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    const { message, exitCode } = explain(error);
    process.stderr.write(`✗ ${message}\n`);
    process.exitCode = exitCode;
  }
}
