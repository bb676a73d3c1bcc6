import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// This file runs compiled, from dist/bench/bench/src/support/; the other builds sit beside dist/bench.
const DIST = new URL('../../../../', import.meta.url);

/** The compiled entry of an app as `nest build` lays it out (dist/apps/<app>/apps/<app>/src/main.js). */
export function appEntry(app: string): string {
  return builtFile(new URL(`apps/${app}/apps/${app}/src/main.js`, DIST));
}

/** A server entry of the benchmark itself (bench/src/servers/<name>.server.ts, compiled). */
export function serverEntry(name: string): string {
  return builtFile(new URL(`../servers/${name}.server.js`, import.meta.url));
}

/** A module of the benchmark preloaded into server processes (bench/src/servers/<name>.preload.ts, compiled). */
export function preloadEntry(name: string): string {
  return builtFile(new URL(`../servers/${name}.preload.js`, import.meta.url));
}

function builtFile(url: URL): string {
  const path = fileURLToPath(url);
  if (!existsSync(path))
    throw new Error(`${path} is missing: run \`npm run build\` (or \`npm run bench\` without --no-build)`);
  return path;
}
