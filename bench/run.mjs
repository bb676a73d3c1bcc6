// `npm run bench`: builds (unless --no-build), then runs the compiled benchmark. Plain JavaScript
// because it must run before anything is compiled. Build output goes to stderr so that stdout
// ends with the table and, with --json, the JSON line.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
if (!args.includes('--no-build') && !args.includes('--help') && !args.includes('-h')) {
  const build = spawnSync('npm', ['run', 'build'], { stdio: ['ignore', process.stderr, process.stderr] });
  if (build.status !== 0) {
    console.error('bench: `npm run build` failed');
    process.exit(build.status ?? 1);
  }
}
await import('../dist/bench/bench/src/main.js');
