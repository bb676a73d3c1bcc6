import { ConfigError, envVariableNames, type Environment, loadEnv } from '@tollgate/platform';
import type { ClassConstructor } from 'class-transformer';
import { getMetadataStorage } from 'class-validator';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { loadAuthServerConfig } from '../../apps/auth-server/src/config/auth-server.config.js';
import { AuthServerEnv } from '../../apps/auth-server/src/config/auth-server.env.js';
import { loadDemoConfig } from '../../tools/src/demo/demo.config.js';
import { DemoEnv, StackDemoEnv } from '../../tools/src/demo/demo.env.js';
import { loadStackDemoConfig } from '../../tools/src/demo/stack.config.js';
import { CertificatesEnv } from '../../tools/src/certificates/certificates.env.js';
import { loadSeedConfig } from '../../tools/src/seed/seed.config.js';
import { SeedEnv } from '../../tools/src/seed/seed.env.js';
import { loadDevicesConfig } from '../../apps/devices/src/config/devices.config.js';
import { CliEnv, loadCliEnv } from '../../apps/cli/src/config/cli.env.js';
import { DevicesEnv } from '../../apps/devices/src/config/devices.env.js';
import { loadIotBrokerConfig } from '../../apps/iot-broker/src/config/iot-broker.config.js';
import { IotBrokerEnv } from '../../apps/iot-broker/src/config/iot-broker.env.js';
import { loadServiceAConfig } from '../../apps/service-a/src/config/service-a.config.js';
import { ServiceAEnv } from '../../apps/service-a/src/config/service-a.env.js';
import { loadServiceBConfig } from '../../apps/service-b/src/config/service-b.config.js';
import { ServiceBEnv } from '../../apps/service-b/src/config/service-b.env.js';

export const REPOSITORY_ROOT = resolve(import.meta.dirname, '../..');

/** The environment contract of one app: its env class, where it is declared, and the loader that validates it at boot. */
export interface AppEnvironment {
  /** The nest-cli project. */
  app: string;
  summary: string;
  schema: ClassConstructor<object>;
  /** The file declaring `schema`, relative to the repository root (JSDoc of its properties becomes the description). */
  source: string;
  load: (env: Environment) => unknown;
  /** Settings under which more variables become required (e.g. `DEVICE_ROLE=hub`). */
  conditions?: Environment[];
}

export const APP_ENVIRONMENTS: readonly AppEnvironment[] = [
  {
    app: 'auth-server',
    summary: 'The authorization server and management API.',
    schema: AuthServerEnv,
    source: 'apps/auth-server/src/config/auth-server.env.ts',
    load: loadAuthServerConfig,
  },
  {
    app: 'service-b',
    summary: 'The CRM API (contacts); accepts M2M tokens, PATs and API keys.',
    schema: ServiceBEnv,
    source: 'apps/service-b/src/config/service-b.env.ts',
    load: loadServiceBConfig,
  },
  {
    app: 'service-a',
    summary: 'The email-marketing service; syncs its audience from service-b with client credentials.',
    schema: ServiceAEnv,
    source: 'apps/service-a/src/config/service-a.env.ts',
    load: loadServiceAConfig,
  },
  {
    app: 'iot-broker',
    summary: 'The MQTT broker (TCP and WebSocket); devices authenticate with M2M access tokens.',
    schema: IotBrokerEnv,
    source: 'apps/iot-broker/src/config/iot-broker.env.ts',
    load: loadIotBrokerConfig,
  },
  {
    app: 'devices',
    summary: 'A thermostat or a home hub (one process per device), selected by `DEVICE_ROLE`.',
    schema: DevicesEnv,
    source: 'apps/devices/src/config/devices.env.ts',
    load: loadDevicesConfig,
    conditions: [{ DEVICE_ROLE: 'hub' }],
  },
  {
    app: 'cli',
    summary: '`tollgate`, the command line (`npx tollgate --help`); its options win over these.',
    schema: CliEnv,
    source: 'apps/cli/src/config/cli.env.ts',
    load: loadCliEnv,
  },
  {
    app: 'seed',
    summary:
      '`npm run seed`: provisions the story (resources, clients with their secrets, the API consumer) through the management API; docker-compose runs it once.',
    schema: SeedEnv,
    source: 'tools/src/seed/seed.env.ts',
    load: loadSeedConfig,
  },
  {
    app: 'demo',
    summary:
      '`npm run demo`: where the demo puts its data and which ports its services use (secrets as for the seed are optional).',
    schema: DemoEnv,
    source: 'tools/src/demo/demo.env.ts',
    load: (env) => loadDemoConfig([], env),
  },
  {
    app: 'demo-stack',
    summary:
      "`npm run demo:stack` (docker-compose's `demo` service): the same story against a running stack, found by these URLs; exits 0 only if every step passed.",
    schema: StackDemoEnv,
    source: 'tools/src/demo/demo.env.ts',
    load: loadStackDemoConfig,
  },
  {
    app: 'certificates',
    summary:
      "docker-compose's one-shot `certificates` service: a development CA and the TLS server certificate of the mTLS endpoint and of MQTT over TLS, made once.",
    schema: CertificatesEnv,
    source: 'tools/src/certificates/certificates.env.ts',
    load: (env) => loadEnv(CertificatesEnv, env),
  },
];

/**
 * Descriptions of variables whose property carries no JSDoc; `<app>:<VARIABLE>` wins over `<VARIABLE>`.
 * JSDoc on the env class wins over both, so moving a description there makes its entry here unused
 * (the config-reference test then asks for it to be removed).
 */
export const FALLBACK_DESCRIPTIONS: Readonly<Record<string, string>> = {
  'auth-server:BOOTSTRAP_ADMIN_CLIENT_ID':
    'On boot, ensure an M2M client with this id and scope `admin` on the management API (set with `BOOTSTRAP_ADMIN_CLIENT_SECRET`).',
  'auth-server:BOOTSTRAP_ADMIN_CLIENT_SECRET':
    "The bootstrap admin client's secret: any high-entropy operator-chosen string.",
  'auth-server:SIGNING_ALG': 'JWS algorithm of new signing keys.',
  'service-a:CLIENT_AUTH_METHOD': 'How service-a authenticates at the token endpoint (RFC 6749 §2.3.1).',
  'devices:DEVICE_ROLE': 'Which device this process is.',
  'devices:MQTT_KEEPALIVE_SECONDS': 'MQTT keepalive the device asks the broker for.',
  'devices:RECONNECT_MIN_DELAY_MS':
    'Delay before the first reconnection to the broker; it doubles after each failure (with jitter)…',
  'devices:RECONNECT_MAX_DELAY_MS': '…up to this.',
  'devices:THERMOSTAT_TELEMETRY_INTERVAL_MS': 'Real time between two telemetry messages.',
  'devices:THERMOSTAT_INITIAL_TEMPERATURE': 'Room temperature at start, in °C.',
  'devices:THERMOSTAT_OUTSIDE_TEMPERATURE': 'Outside temperature of the room simulation, in °C.',
  'devices:THERMOSTAT_INITIAL_SETPOINT': 'Set point at start, in °C, until the hub sends one.',
};

export interface VariableReference {
  name: string;
  /** `yes`, `if <VARIABLE>=<value>`, or empty. */
  required: string;
  default?: string;
  values: string;
  description: string;
  /** Where the description came from. */
  describedBy: 'jsdoc' | 'fallback' | 'none';
}

/** Every variable an app accepts, in declaration order, with what docs/configuration.md shows about it. */
export function describeEnvironment(environment: AppEnvironment): VariableReference[] {
  const declared = declaredProperties(environment);
  const defaults = new environment.schema() as Record<string, unknown>;
  const required = requiredVariables(environment);
  return declared.map(({ name, jsdoc }) => {
    const fallback = FALLBACK_DESCRIPTIONS[`${environment.app}:${name}`] ?? FALLBACK_DESCRIPTIONS[name];
    const description = jsdoc || fallback || '';
    return {
      name,
      required: required.get(name) ?? '',
      default: defaults[name] === undefined ? undefined : String(defaults[name]),
      values: allowedValues(environment.schema, name),
      description,
      describedBy: jsdoc ? 'jsdoc' : fallback ? 'fallback' : 'none',
    };
  });
}

/** Where the pieces an env class may extend (`composeEnv(…)`) are declared. */
const ENV_PIECES_SOURCE = 'libs/platform/src/config/env-pieces.ts';

/**
 * Properties of the env class in declaration order, those of the pieces it extends first (in the
 * order given to `composeEnv`), with their JSDoc. A `@property NAME …` tag on the app's class
 * describes the app's use of an inherited variable and wins over the piece's JSDoc.
 */
export function declaredProperties(environment: AppEnvironment): { name: string; jsdoc: string }[] {
  const declarations = new Map<string, ts.ClassDeclaration>();
  for (const source of [ENV_PIECES_SOURCE, environment.source]) {
    const file = join(REPOSITORY_ROOT, source);
    const visit = (node: ts.Node): void => {
      if (ts.isClassDeclaration(node) && node.name) declarations.set(node.name.text, node);
      ts.forEachChild(node, visit);
    };
    visit(ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true));
  }
  const own = declarations.get(environment.schema.name);
  if (!own) throw new Error(`${environment.source} does not declare class ${environment.schema.name}`);
  const overrides = new Map(
    ts
      .getJSDocTags(own)
      .filter((tag) => tag.tagName.text === 'property')
      .map((tag) => /^(\w+)\s+([\s\S]*)$/.exec(ts.getTextOfJSDocComment(tag.comment) ?? '') ?? [])
      .map(([, name, text]) => [name, text]),
  );
  const properties = classChain(environment.schema).flatMap((type) => {
    const declaration = declarations.get(type.name);
    if (!declaration)
      throw new Error(
        `${environment.schema.name} extends ${type.name}, declared neither in ${environment.source} nor in ${ENV_PIECES_SOURCE}`,
      );
    return declaration.members.filter(ts.isPropertyDeclaration).map((property) => {
      const name = property.name.getText();
      const jsdoc = ts
        .getJSDocCommentsAndTags(property)
        .filter(ts.isJSDoc)
        .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '')
        .join(' ');
      return { name, jsdoc: (overrides.get(name) ?? jsdoc).replace(/\s+/g, ' ').trim() };
    });
  });
  const unknown = [...overrides.keys()].filter((name) => !properties.some((property) => property.name === name));
  if (unknown.length > 0)
    throw new Error(
      `${environment.source}: @property tags name no variable of ${environment.schema.name}: ${unknown.join(', ')}`,
    );
  return properties;
}

/** The class and the classes it extends, the root first. */
function classChain(schema: ClassConstructor<object>): ClassConstructor<object>[] {
  const chain: ClassConstructor<object>[] = [];
  for (let type = schema; type !== Function.prototype; type = Object.getPrototypeOf(type)) chain.unshift(type);
  return chain;
}

/** Variables whose absence the app's own loader reports, alone or under one of the app's conditions. */
function requiredVariables(environment: AppEnvironment): Map<string, string> {
  const required = new Map<string, string>();
  for (const name of reportedMissing(environment, {})) required.set(name, 'yes');
  for (const condition of environment.conditions ?? []) {
    const label = `if ${Object.entries(condition)
      .map(([name, value]) => `${name}=${value}`)
      .join(', ')}`;
    for (const name of reportedMissing(environment, condition)) if (!required.has(name)) required.set(name, label);
  }
  return required;
}

function reportedMissing(environment: AppEnvironment, env: Environment): string[] {
  try {
    environment.load(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const names = envVariableNames(environment.schema);
    return names.filter((name) => !(name in env) && error.problems.some((problem) => problem.startsWith(`${name}:`)));
  }
}

/** What class-validator lets through, in words (allowed values, ranges, lengths). */
function allowedValues(schema: ClassConstructor<object>, name: string): string {
  const rules = new Map<string, unknown[]>();
  for (const metadata of getMetadataStorage().getTargetValidationMetadatas(schema, '', true, false)) {
    if (metadata.propertyName === name && metadata.name) rules.set(metadata.name, metadata.constraints ?? []);
  }
  const [min] = rules.get('min') ?? [];
  const [max] = rules.get('max') ?? [];
  const range =
    min !== undefined && max !== undefined
      ? ` from ${min} to ${max}`
      : min !== undefined
        ? ` ≥ ${min}`
        : max !== undefined
          ? ` ≤ ${max}`
          : '';
  if (rules.has('isIn')) return (rules.get('isIn')![0] as unknown[]).map((value) => `\`${String(value)}\``).join(', ');
  if (rules.has('isInt')) return `integer${range}`;
  if (rules.has('isNumber')) return `number${range}`;
  if (rules.has('isBoolean')) return '`true`, `false`';
  if (rules.has('isUrl')) return 'http(s) URL';
  if (rules.has('isClientSecret')) {
    const [lower, upper] = rules.get('isClientSecret')!;
    return `a \`tgs_\` secret the auth-server generated, or ${lower} to ${upper} characters`;
  }
  if (rules.has('isLength')) {
    const [lower, upper] = rules.get('isLength')!;
    return `${lower} to ${upper} characters`;
  }
  if (rules.has('minLength')) return `≥ ${rules.get('minLength')![0]} characters`;
  if (rules.has('maxLength')) return `≤ ${rules.get('maxLength')![0]} characters`;
  return '';
}

export const CONFIG_REFERENCE_START = '<!-- config-reference:start -->';
export const CONFIG_REFERENCE_END = '<!-- config-reference:end -->';
export const CONFIG_REFERENCE_HEADING = '## Environment variables';

function cell(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();
}

/** The section of docs/configuration.md between the markers, markers included. */
export function renderConfigReference(environments: readonly AppEnvironment[] = APP_ENVIRONMENTS): string {
  const lines = [
    CONFIG_REFERENCE_START,
    '<!-- Generated from the env classes (apps/*/src/config/*.env.ts and the shared pieces in libs/platform/src/config/env-pieces.ts) by `npm run docs:config`: edit those, not this section. -->',
    '',
    'Each app reads these environment variables and validates them at boot; a bad or missing one stops it with a',
    'message naming every offending variable. An empty value counts as unset.',
  ];
  for (const environment of environments) {
    lines.push('', `### ${environment.app}`, '', `${environment.summary} Declared in \`${environment.source}\`.`, '');
    lines.push('| Variable | Required | Default | Values | Description |', '|---|---|---|---|---|');
    for (const variable of describeEnvironment(environment)) {
      const defaultValue = variable.default === undefined ? '' : `\`${variable.default}\``;
      lines.push(
        `| \`${variable.name}\` | ${variable.required} | ${cell(defaultValue)} | ${cell(variable.values)} | ${cell(variable.description)} |`,
      );
    }
  }
  lines.push(CONFIG_REFERENCE_END);
  return lines.join('\n');
}

/** The marked section of `markdown`, markers included; undefined when the markers are missing or out of order. */
export function configReferenceSection(markdown: string): string | undefined {
  const start = markdown.indexOf(CONFIG_REFERENCE_START);
  const end = markdown.indexOf(CONFIG_REFERENCE_END);
  if (start < 0 || end < start) return undefined;
  return markdown.slice(start, end + CONFIG_REFERENCE_END.length);
}

/** `markdown` with its marked section replaced by `section` (appended under its heading when absent). */
export function withConfigReference(markdown: string, section: string): string {
  const current = configReferenceSection(markdown);
  if (current !== undefined) return markdown.replace(current, () => section);
  return `${markdown.trimEnd()}\n\n${CONFIG_REFERENCE_HEADING}\n\n${section}\n`;
}
