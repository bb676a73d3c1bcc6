// `npm run compose:up [-- <compose options>]`: the first `docker compose up` without hand-editing.
// Writes .env from .env.example with random secrets (mode 0600; an existing .env is left as it is,
// as `npm run demo` keeps data/demo/secrets.json), then runs `docker compose <options> up -d --build`.
//   npm run compose:up -- --profile monitoring      # with Prometheus and Grafana
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeCommand } from './compose/compose-command.mjs';
import { readEnvFile, writeEnvFile } from './compose/env-file.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const envFile = join(root, '.env');

if (writeEnvFile(envFile, join(root, '.env.example')) === 'written')
  console.log('✓ .env written from .env.example with a random value for every secret (mode 0600, yours only)');
else
  console.log(
    '✓ .env exists: left as it is (its secrets are in the databases already; to start afresh: docker compose down -v, then delete .env)',
  );

let compose;
try {
  compose = composeCommand();
} catch (error) {
  console.error(`✗ ${error.message}`);
  process.exit(1);
}
const args = [...compose.args, ...process.argv.slice(2), 'up', '-d', '--build'];
console.log(`$ ${compose.command} ${args.join(' ')}`);
const up = spawnSync(compose.command, args, { cwd: root, stdio: 'inherit' });
if (up.status !== 0) {
  console.error(`✗ ${compose.command} ${args.join(' ')} failed (${up.error?.message ?? `exit code ${up.status}`})`);
  process.exit(up.status || 1);
}

const env = readEnvFile(envFile);
const issuer = env.AUTH_ISSUER || 'http://localhost:7400';
const run = [compose.command, ...compose.args].join(' ');
console.log(`
Tollgate is starting (${run} ps shows it healthy in a minute or so):
  web console        ${issuer}/console  (sign in as ${env.CONSOLE_ADMIN_EMAIL || 'admin@tollgate.local'}; the password is CONSOLE_ADMIN_PASSWORD in .env)
  discovery          ${issuer}/.well-known/oauth-authorization-server
  the story          ${run} --profile demo run --rm demo
  monitoring         npm run compose:up -- --profile monitoring, then Grafana at http://localhost:${env.GRAFANA_HOST_PORT || '7430'}
  stop               ${run} down   (add -v to delete the data too)`);
