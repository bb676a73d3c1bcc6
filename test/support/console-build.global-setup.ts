import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';

// The auth-server serves the console that `npm run build` builds into dist/apps/console. Tests run
// the auth-server from its sources, so they build the console first when it is missing or older
// than apps/console (a second or so), and never test a stale console.
const ROOT = join(import.meta.dirname, '..', '..');
const SOURCES = join(ROOT, 'apps', 'console');
const BUILT_INDEX = join(ROOT, 'dist', 'apps', 'console', 'index.html');

export default async function buildConsole(): Promise<void> {
  const built = modified(BUILT_INDEX);
  if (built !== undefined && newestSource() <= built) return;
  await build({ configFile: join(SOURCES, 'vite.config.ts'), logLevel: 'warn' });
}

function newestSource(): number {
  return readdirSync(SOURCES, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((newest, entry) => Math.max(newest, modified(join(entry.parentPath, entry.name)) ?? 0), 0);
}

function modified(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}
