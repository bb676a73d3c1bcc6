// Decorator metadata, which class-transformer's @Type reads: loaded here rather than left to Nest, since
// processes without Nest validate their configuration too. Every configuration class imports this module
// (directly or through env-rules and env-pieces), so it is loaded before any of their decorators run.
import 'reflect-metadata';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';
import { redactSecrets } from '../logging/redact-secrets.js';

export type Environment = Record<string, string | undefined>;

/**
 * Thrown at boot when configuration is invalid; lists every bad variable at once. A value quoted
 * in a problem loses its secrets (URL passwords, credentials): the message goes to the console.
 */
export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    const redacted = problems.map(redactSecrets);
    super(`Invalid configuration:\n${redacted.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = redacted;
  }
}

function describe(error: ValidationError, env: Environment): string {
  const raw = env[error.property];
  const shown =
    raw === undefined || raw === '' ? 'unset' : isSecretName(error.property) ? 'set (hidden)' : JSON.stringify(raw);
  // An unset required variable is only "required": its format rules have nothing to say yet.
  const constraints = error.constraints?.isDefined
    ? { isDefined: error.constraints.isDefined }
    : (error.constraints ?? {});
  return `${error.property}: ${Object.values(constraints).join('; ')} (${shown})`;
}

function isSecretName(name: string): boolean {
  return /SECRET|PASSWORD|KEY|TOKEN/.test(name) && !name.endsWith('_ID');
}

const SET_TOGETHER = new WeakMap<object, [string, string][]>();

/**
 * Class decorator for two variables that mean nothing alone (a client id and its secret): loadEnv
 * reports `A and B: set both or neither` when only one is set. Inherited by subclasses.
 */
export function BothOrNeither(first: string, second: string): ClassDecorator {
  return (target) => {
    SET_TOGETHER.set(target, [...(SET_TOGETHER.get(target) ?? []), [first, second]]);
  };
}

function pairProblems(schema: ClassConstructor<object>, present: Environment): string[] {
  const problems: string[] = [];
  for (let type: object | null = schema; type !== null; type = Object.getPrototypeOf(type)) {
    for (const [first, second] of SET_TOGETHER.get(type) ?? []) {
      if (first in present !== second in present) problems.push(`${first} and ${second}: set both or neither`);
    }
  }
  return problems;
}

/**
 * Validates environment variables against a class-validator schema and returns the typed,
 * converted instance. Empty strings count as unset, as they do in docker-compose files. Throws one
 * ConfigError with every problem: each bad or missing variable, then each pair set by half.
 */
export function loadEnv<T extends object>(schema: ClassConstructor<T>, env: Environment): T {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const instance = plainToInstance(schema, present, { excludeExtraneousValues: false });
  const errors = validateSync(instance, { whitelist: false, forbidUnknownValues: false });
  const problems = [...errors.map((e) => describe(e, env)), ...pairProblems(schema, present)];
  if (problems.length > 0) throw new ConfigError(problems);
  return instance;
}

/** Names of the variables a schema accepts (for documentation and the compose consistency test). */
export function envVariableNames(schema: ClassConstructor<object>): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(schema, '', true, false);
  return [...new Set(metadata.map((m) => m.propertyName))].sort();
}

/** TRUST_PROXY: `true`/`false`, or a comma-separated list of proxy addresses/CIDRs (Fastify's `trustProxy`). */
export function parseTrustProxy(value: string | undefined): boolean | string | undefined {
  if (value === undefined) return undefined;
  if (/^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  return value;
}

/** Turns "true"/"1"/"yes"/"on" into true for boolean variables (use with class-transformer's @Transform). */
export const toBoolean = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? ['1', 'true', 'yes', 'on'].includes(value.toLowerCase()) : value;
