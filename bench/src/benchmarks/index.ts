import type { Benchmark } from '../benchmark.js';
import { serviceBJwt } from './service-b-jwt.benchmark.js';
import { tokenEndpoint } from './token-endpoint.benchmark.js';

/** Every benchmark, in the order `npm run bench` runs them. */
export const BENCHMARKS: readonly Benchmark[] = [tokenEndpoint, serviceBJwt];
