// `npm run demo [-- --once]`: builds when dist/ is missing or older than a source, then runs the
// built demo in this process with the same arguments (tools/src/demo/main.ts).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const demoEntry = join(root, 'dist/tools/tools/src/demo/main.js');
// One output per build target: `nest build --all` rewrites them all, so the oldest tells when it last ran.
const outputs = [
  ...['auth-server', 'service-b', 'service-a', 'iot-broker', 'devices'].map((app) =>
    join(root, 'dist/apps', app, 'apps', app, 'src/main.js'),
  ),
  demoEntry,
  join(root, 'dist/tools/tools/src/seed/main.js'),
  // The web console the auth-server serves (apps/console, built by Vite).
  join(root, 'dist/apps/console/index.html'),
];
const sourceFolders = ['apps', 'libs', 'tools'].map((folder) => join(root, folder));
const buildFiles = ['tsconfig.json', 'nest-cli.json'].map((file) => join(root, file));

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The newest modification time among files the build reads (specs excluded: the build skips them), the console's page and styles included. */
function newestSource() {
  let newest = Math.max(0, ...buildFiles.map((file) => mtime(file) ?? 0));
  const pending = [...sourceFolders];
  while (pending.length > 0) {
    const folder = pending.pop();
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') pending.push(path);
      } else if (/\.(ts|json|html|css|svg)$/.test(entry.name) && !/\.(e2e-)?spec\.ts$/.test(entry.name)) {
        newest = Math.max(newest, mtime(path) ?? 0);
      }
    }
  }
  return newest;
}

function buildReason() {
  const times = outputs.map(mtime);
  if (times.some((time) => time === undefined)) return 'dist/ is missing or incomplete';
  return newestSource() > Math.min(...times) ? 'sources changed since the last build' : undefined;
}

const reason = buildReason();
if (reason) {
  console.log(`Building first (${reason}): npm run build`);
  const build = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) {
    console.error(`✗ The build failed (${build.error?.message ?? `exit code ${build.status}`}); the demo needs it.`);
    process.exit(build.status || 1);
  }
}

// Same process, same arguments (process.argv.slice(2)), so Ctrl-C reaches the demo directly.
await import(pathToFileURL(demoEntry).href);
