import { parseArgs } from 'node:util';

/** PostgreSQL and Redis for the scaled shape (BENCH_DATABASE_URL / BENCH_REDIS_URL, else the tests' TEST_*). */
export interface ScaledInfrastructure {
  databaseUrl: string;
  redisUrl: string;
}

export interface CliOptions {
  only?: string[];
  secondsPerRound: number;
  rounds: number;
  warmUpSeconds: number;
  connections?: number;
  json: boolean;
  quick: boolean;
  scaled?: ScaledInfrastructure;
  cpuProfileDir?: string;
  allocationProfileDir?: string;
  help: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]
  --only <name,…>      run only these benchmarks
  --duration <s>       seconds per side per round (default 8)
  --rounds <n>         rounds; each measures both sides, alternating which goes first (default 3)
  --warm-up <s>        seconds of unmeasured load per side before the first round (default 3)
  --connections <n>    concurrent connections, overriding each benchmark's own
  --json               also print one JSON object on the last line
  --quick              skip slow setups (apiKeyScale's 1,000,000 stored keys: that benchmark is skipped)
  --cpu-prof <dir>     write a V8 CPU profile of every server process into <dir> (open in Chrome DevTools)
  --alloc-prof <dir>   write a profile of what every server process allocates into <dir> (sampled, collected objects included)
  --no-build           use dist/ as it is instead of running \`npm run build\` first

Environment: BENCH_DATABASE_URL (postgres://…) and BENCH_REDIS_URL (redis://…), or TEST_DATABASE_URL and
TEST_REDIS_URL, enable the scaled-shape benchmarks (a fresh database is created on that server and dropped).`;

/** Parses the command line; throws with a message fit for the user on anything unknown or invalid. */
export function parseCliOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      duration: { type: 'string' },
      rounds: { type: 'string' },
      'warm-up': { type: 'string' },
      connections: { type: 'string' },
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      'alloc-prof': { type: 'string' },
      build: { type: 'boolean', default: true },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowNegative: true,
    strict: true,
  });
  return {
    only: values.only
      ?.split(',')
      .map((name) => name.trim())
      .filter(Boolean),
    secondsPerRound: number('--duration', values.duration, 8, { min: 1, integer: false }),
    rounds: number('--rounds', values.rounds, 3, { min: 1, integer: true }),
    warmUpSeconds: number('--warm-up', values['warm-up'], 3, { min: 0, integer: false }),
    connections:
      values.connections === undefined
        ? undefined
        : number('--connections', values.connections, 0, { min: 1, integer: true }),
    json: values.json,
    quick: values.quick,
    scaled: scaledInfrastructure(env),
    cpuProfileDir: values['cpu-prof'],
    allocationProfileDir: values['alloc-prof'],
    help: values.help,
  };
}

function scaledInfrastructure(env: NodeJS.ProcessEnv): ScaledInfrastructure | undefined {
  const databaseUrl = env.BENCH_DATABASE_URL || env.TEST_DATABASE_URL;
  const redisUrl = env.BENCH_REDIS_URL || env.TEST_REDIS_URL;
  return databaseUrl && redisUrl ? { databaseUrl, redisUrl } : undefined;
}

function number(
  flag: string,
  value: string | undefined,
  fallback: number,
  { min, integer }: { min: number; integer: boolean },
): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || (integer && !Number.isInteger(parsed))) {
    throw new Error(`${flag} must be ${integer ? 'an integer' : 'a number'} ≥ ${min} (got "${value}")`);
  }
  return parsed;
}
