import { readdirSync, readFileSync } from 'node:fs';
import { configDefaults, defineConfig } from 'vitest/config';

const TEST_FILES = [
  'apps/**/*.spec.ts',
  'apps/**/*.e2e-spec.ts',
  'libs/**/*.spec.ts',
  'bench/**/*.spec.ts',
  'test/**/*.e2e-spec.ts',
];

// Tests that reach the one Redis of TEST_REDIS_URL share its keys and channels (rate-limit and
// throttle counters, broker sessions, the revocation wake-up channel), so they run one file at a
// time, after the rest. Every other test has its own SQLite file, PostgreSQL database and ports,
// so those run several files at once: most of their time is spent waiting on the processes they
// start, and one file at a time (Vitest's default on two cores) left the machine idle over half
// the time. A file joins the serial group by naming TEST_REDIS_URL or starting a stack with Redis.
// Ports a test hands to a process it starts come from a block per worker (test/support/free-port.ts).
const USES_SHARED_REDIS = /TEST_REDIS_URL|redis: true/;
const TEST_FILE = /\.(e2e-)?spec\.ts$/;

function filesUsingSharedRedis(): string[] {
  return ['apps', 'libs', 'bench', 'test'].flatMap((root) =>
    readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((path) => TEST_FILE.test(path) && !path.split('/').includes('node_modules'))
      .map((path) => `${root}/${path}`)
      .filter((path) => USES_SHARED_REDIS.test(readFileSync(path, 'utf8'))),
  );
}

const sharedRedis = filesUsingSharedRedis();

export default defineConfig({
  // Resolves the @tollgate/* aliases from tsconfig.json, as `nest build` does.
  resolve: { tsconfigPaths: true },
  test: {
    globals: true,
    root: './',
    // The auth-server serves the built console (dist/apps/console): built here when stale.
    globalSetup: ['test/support/console-build.global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'parallel',
          include: TEST_FILES,
          exclude: [...configDefaults.exclude, ...sharedRedis],
          maxWorkers: 3,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'shared-redis',
          include: sharedRedis,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
