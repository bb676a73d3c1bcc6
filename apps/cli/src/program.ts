import { Command, Option } from 'commander';
import { CLI_VERSION, CliContext, type GlobalOptions } from './cli-context.js';
import { registerApiKeyCommands } from './commands/api-keys.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerClientCommands } from './commands/clients.js';
import { registerM2mCommands } from './commands/m2m.js';
import { registerPatCommands } from './commands/pats.js';
import { login, logout, whoami } from './commands/sign-in.js';
import { list } from './commands/arguments.js';

/** The `tollgate` command line: sign-in, then the management API as the signed-in person. */
export function createProgram(): Command {
  const program = new Command('tollgate')
    .description(
      'Tollgate from the command line: sign in with your console account, manage API keys and clients, read the audit log',
    )
    .version(CLI_VERSION)
    .addOption(new Option('--issuer <url>', 'the auth-server (else TOLLGATE_ISSUER, else the one you signed in to)'))
    .option('--json', 'print JSON for scripts instead of text')
    .showHelpAfterError()
    // Usage errors reach main.ts (exit code 2) instead of exiting here; subcommands inherit it.
    .exitOverride()
    .addHelpText(
      'after',
      `
Exit codes: 0 done; 1 refused or failed (the reason is printed); 2 wrong usage;
3 not signed in or the sign-in was refused (run tollgate login); 4 the auth-server is unreachable.
Environment: TOLLGATE_ISSUER, TOLLGATE_TOKEN (a PAT instead of the stored sign-in),
TOLLGATE_CLIENT_ID / TOLLGATE_CLIENT_SECRET (token, verify), TOLLGATE_CONFIG_DIR.`,
    );
  const context = () => new CliContext(program.opts<GlobalOptions>());

  program
    .command('login')
    .description('Sign in with your console account (OAuth 2.0 device authorization, RFC 8628)')
    .option('--scope <scopes>', 'what the CLI may do, comma- or space-separated', list, ['admin'])
    .option('--resource <url>', 'the API the sign-in is for (the management API when absent)')
    .action((options: { scope: string[]; resource?: string }) =>
      login(context(), { scope: options.scope.join(' '), resource: options.resource }),
    );
  program
    .command('logout')
    .description('Revoke the stored sign-in at the auth-server and remove it')
    .action(() => logout(context()));
  program
    .command('whoami')
    .description('Whom the sign-in acts for, and the scopes they hold')
    .action(() => whoami(context()));
  registerPatCommands(program, context);
  registerApiKeyCommands(program, context);
  registerClientCommands(program, context);
  registerAuditCommand(program, context);
  registerM2mCommands(program, context);
  return program;
}
