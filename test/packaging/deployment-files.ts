import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { REPOSITORY_ROOT } from '../support/config-reference.js';

/** Readers for the deployment files (docker-compose.yml, Dockerfile, .env.example, .dockerignore) and the build layout. */

export function readRepositoryFile(path: string): string {
  return readFileSync(join(REPOSITORY_ROOT, path), 'utf8');
}

// ---------------------------------------------------------------------------------------------- compose

export type ComposeDependency = { condition?: string; restart?: boolean; required?: boolean };

export interface ComposeService {
  image?: string;
  build?: string | { context: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | Record<string, unknown>)[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: string[] | Record<string, ComposeDependency>;
  restart?: string;
  volumes?: (string | Record<string, unknown>)[];
  user?: string;
  [key: string]: unknown;
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** docker-compose.yml as compose reads it: YAML 1.2 with merge keys (`<<: *anchor`). */
export function readCompose(text = readRepositoryFile('docker-compose.yml')): ComposeFile {
  const file = load(text, { schema: CORE_SCHEMA.withTags(mergeTag) }) as ComposeFile;
  if (!file || typeof file !== 'object' || !file.services) throw new Error('docker-compose.yml has no services');
  return file;
}

export interface VariableReference {
  name: string;
  /** `:-`/`-` default, `:?`/`?` required, `:+`/`+` alternative; undefined for `${NAME}`/`$NAME`. */
  operator?: string;
  argument?: string;
}

const REFERENCE = /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Every `${NAME…}` / `$NAME` in a text (compose interpolation syntax; `$$` is a literal `$`). */
export function variableReferences(text: string): VariableReference[] {
  const references: VariableReference[] = [];
  for (const match of text.matchAll(REFERENCE)) {
    if (match[1]) continue;
    references.push({ name: match[2] ?? match[5], operator: match[3], argument: match[4] });
  }
  return references;
}

/** Interpolates one value the way compose does; a `:?` variable that is unset or empty throws its message. */
export function interpolate(value: string, env: Readonly<Record<string, string>>): string {
  return value.replace(
    REFERENCE,
    (_whole, dollar?: string, braced?: string, operator?: string, argument = '', bare?: string) => {
      if (dollar) return '$';
      const name = (braced ?? bare)!;
      const current = env[name];
      const set = current !== undefined;
      const nonEmpty = set && current !== '';
      switch (operator) {
        case ':-':
          return nonEmpty ? current : argument;
        case '-':
          return set ? current : argument;
        case ':?':
          if (!nonEmpty) throw new Error(`${name}: ${argument || 'is required'}`);
          return current;
        case '?':
          if (!set) throw new Error(`${name}: ${argument || 'is required'}`);
          return current;
        case ':+':
          return nonEmpty ? argument : '';
        case '+':
          return set ? argument : '';
        default:
          return current ?? '';
      }
    },
  );
}

/** A service's environment after interpolation, as the container sees it (map form only). */
export function serviceEnvironment(
  service: ComposeService,
  env: Readonly<Record<string, string>>,
): Record<string, string> {
  const environment = service.environment ?? {};
  if (Array.isArray(environment)) throw new Error('use the map form of `environment:`');
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [name, interpolate(value === null ? '' : String(value), env)]),
  );
}

/** The whole compose document as compose sees it after interpolation: every string interpolated, anything else as it is. */
export function interpolateDocument(value: unknown, env: Readonly<Record<string, string>>): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((item) => interpolateDocument(item, env));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateDocument(item, env)]));
  return value;
}

export function dependencies(service: ComposeService): Record<string, ComposeDependency> {
  const dependsOn = service.depends_on ?? {};
  return Array.isArray(dependsOn) ? Object.fromEntries(dependsOn.map((name) => [name, {}])) : dependsOn;
}

export interface PublishedPort {
  hostAddress?: string;
  hostPort: string;
  containerPort: number;
}

/** Short syntax `[address:]host:container`, after interpolation. */
export function publishedPorts(service: ComposeService, env: Readonly<Record<string, string>>): PublishedPort[] {
  return (service.ports ?? []).map((entry) => {
    if (typeof entry !== 'string')
      throw new Error(`use the short "address:host:container" form for ports (${JSON.stringify(entry)})`);
    const parts = interpolate(entry, env).split(':');
    const containerPort = Number(parts.at(-1));
    if (parts.length === 3) return { hostAddress: parts[0], hostPort: parts[1], containerPort };
    if (parts.length === 2) return { hostPort: parts[0], containerPort };
    return { hostPort: '', containerPort };
  });
}

// ---------------------------------------------------------------------------------------------- .env

/** KEY=VALUE lines of a dotenv file, in order (comments and blank lines skipped). */
export function readDotenv(text: string): [string, string][] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const equals = line.indexOf('=');
      if (equals < 1) throw new Error(`not a KEY=VALUE line: ${line}`);
      return [line.slice(0, equals), line.slice(equals + 1)];
    });
}

/** Names whose value is a credential: they must never have a value in a committed file. */
export function isSecretName(name: string): boolean {
  return /SECRET|PASSWORD|TOKEN|PRIVATE_KEY/.test(name);
}

// ---------------------------------------------------------------------------------------------- Dockerfile

export interface DockerInstruction {
  keyword: string;
  args: string;
}

export interface DockerStage {
  image: string;
  name?: string;
  instructions: DockerInstruction[];
}

/** The Dockerfile's stages (global ARG defaults substituted in FROM), continuation lines joined, comments dropped. */
export function readDockerfile(text = readRepositoryFile('Dockerfile')): DockerStage[] {
  const logicalLines: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const joined = (pending + line).trim();
    pending = '';
    if (joined) logicalLines.push(joined);
  }
  const globalArgs: Record<string, string> = {};
  const stages: DockerStage[] = [];
  for (const line of logicalLines) {
    const [keyword, ...rest] = line.split(/\s+/);
    const args = line.slice(keyword.length).trim();
    if (keyword.toUpperCase() === 'FROM') {
      const [image, as, name] = rest;
      const resolved = image.replace(
        /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g,
        (_whole, arg: string) => globalArgs[arg] ?? '',
      );
      stages.push({ image: resolved, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0 && keyword.toUpperCase() === 'ARG') {
      const [name, value = ''] = args.split('=');
      globalArgs[name] = value;
    } else {
      stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

/** `CMD`/`ENTRYPOINT` arguments in exec (JSON) form. */
export function execForm(instruction: DockerInstruction): string[] {
  const parsed: unknown = JSON.parse(instruction.args);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string'))
    throw new Error(`${instruction.keyword} must use the exec form`);
  return parsed;
}

// ---------------------------------------------------------------------------------------------- build layout

interface NestProject {
  type: 'application' | 'library';
  root: string;
  sourceRoot: string;
  entryFile: string;
  compilerOptions?: { tsConfigPath?: string };
}

export function nestProjects(): Record<string, NestProject> {
  return (JSON.parse(readRepositoryFile('nest-cli.json')) as { projects: Record<string, NestProject> }).projects;
}

export interface BuiltFile {
  project: string;
  /** The TypeScript source `nest build` compiles into the file, relative to the repository root. */
  source: string;
}

/**
 * The nest-cli project whose build (`nest build --all`: tsc with the project's tsconfig) writes `output`
 * (relative to the repository root), and the source it compiles it from; undefined when no build writes it.
 */
export function builtFile(output: string): BuiltFile | undefined {
  const target = resolve(REPOSITORY_ROOT, output);
  for (const { project, outDir, rootDir, sources } of projectBuilds()) {
    const inOutput = relative(outDir, target);
    if (inOutput.startsWith('..') || isAbsolute(inOutput) || !inOutput.endsWith('.js')) continue;
    const source = resolve(rootDir, inOutput.replace(/\.js$/, '.ts'));
    if (sources.has(source)) return { project, source: relative(REPOSITORY_ROOT, source) };
  }
  return undefined;
}

let builds: { project: string; outDir: string; rootDir: string; sources: Set<string> }[] | undefined;

/** What tsc compiles for each project, and where it writes it (the project's tsconfig, `extends` resolved). */
function projectBuilds() {
  builds ??= Object.entries(nestProjects()).flatMap(([project, settings]) => {
    const tsconfigPath = join(
      REPOSITORY_ROOT,
      settings.compilerOptions?.tsConfigPath ?? join(settings.root, 'tsconfig.app.json'),
    );
    const { config, error } = ts.readConfigFile(tsconfigPath, ts.sys.readFile);
    if (error) return [];
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dirname(tsconfigPath));
    const { outDir, rootDir } = parsed.options;
    if (!outDir || !rootDir) return [];
    return [{ project, outDir, rootDir, sources: new Set(parsed.fileNames.map((name) => resolve(name))) }];
  });
  return builds;
}
