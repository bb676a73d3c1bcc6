// Which Compose to run: the `docker compose` plugin (v2), or a standalone `docker-compose` of v2 or
// later. Compose v1 (Debian's docker-compose 1.29) cannot read docker-compose.yml: it does not know
// the top-level `name:` nor profiles.
import { spawnSync } from 'node:child_process';

/** `{ command, args, version }` to run Compose with (args go before the subcommand); throws a message saying what to install. */
export function composeCommand(run = spawnSync) {
  const plugin = run('docker', ['compose', 'version', '--short'], { encoding: 'utf8' });
  if (plugin.status === 0) return { command: 'docker', args: ['compose'], version: plugin.stdout.trim() };
  const standalone = run('docker-compose', ['version', '--short'], { encoding: 'utf8' });
  if (standalone.status === 0) {
    const version = standalone.stdout.trim().replace(/^v/, '');
    if (Number(version.split('.')[0]) >= 2) return { command: 'docker-compose', args: [], version };
    throw new Error(
      `docker-compose ${version} is Compose v1, which cannot read docker-compose.yml (the top-level name:, profiles): install Docker Compose v2 (the docker compose plugin)`,
    );
  }
  throw new Error(
    'neither `docker compose` (Compose v2) nor `docker-compose` was found: install Docker and its Compose plugin',
  );
}
