import { envVariableNames } from '@tollgate/platform';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  APP_ENVIRONMENTS,
  CONFIG_REFERENCE_END,
  CONFIG_REFERENCE_HEADING,
  CONFIG_REFERENCE_START,
  configReferenceSection,
  describeEnvironment,
  FALLBACK_DESCRIPTIONS,
  renderConfigReference,
  REPOSITORY_ROOT,
  withConfigReference,
} from '../support/config-reference.js';
import { nestProjects } from './deployment-files.js';

const REFERENCE = join(REPOSITORY_ROOT, 'docs', 'configuration.md');
const READMES = ['README.md', 'README.ko.md'].map((name) => join(REPOSITORY_ROOT, name));
const REGENERATE = 'run `npm run docs:config` to regenerate it';

describe('configuration reference (docs/configuration.md)', () => {
  // `npm run docs:config` runs this file with UPDATE_CONFIG_REFERENCE=1: the section is rewritten, then checked like any run.
  beforeAll(() => {
    if (process.env.UPDATE_CONFIG_REFERENCE)
      writeFileSync(REFERENCE, withConfigReference(readFileSync(REFERENCE, 'utf8'), renderConfigReference()));
  });

  it('documents every app nest-cli.json builds', () => {
    const apps = Object.entries(nestProjects())
      .filter(([, project]) => project.type === 'application' && project.root.startsWith('apps/'))
      .map(([name]) => name);
    expect(
      APP_ENVIRONMENTS.filter(({ source }) => source.startsWith('apps/'))
        .map(({ app }) => app)
        .sort(),
    ).toEqual(apps.sort());
  });

  it.each(APP_ENVIRONMENTS.map((environment) => [environment.app, environment] as const))(
    '%s: one row per variable its env class validates, each described',
    (_app, environment) => {
      const rows = describeEnvironment(environment);
      expect(rows.map(({ name }) => name).sort(), `${environment.source}: properties vs. validated variables`).toEqual(
        envVariableNames(environment.schema),
      );
      expect(
        rows.filter(({ description }) => !description).map(({ name }) => name),
        `add a JSDoc comment to these properties of ${environment.schema.name} (or an entry in FALLBACK_DESCRIPTIONS)`,
      ).toEqual([]);
    },
  );

  it('uses every fallback description (JSDoc on the env class makes one obsolete)', () => {
    const used = new Set(
      APP_ENVIRONMENTS.flatMap((environment) =>
        describeEnvironment(environment)
          .filter(({ describedBy }) => describedBy === 'fallback')
          .map(({ name }) =>
            `${environment.app}:${name}` in FALLBACK_DESCRIPTIONS ? `${environment.app}:${name}` : name,
          ),
      ),
    );
    expect(
      Object.keys(FALLBACK_DESCRIPTIONS).filter((key) => !used.has(key)),
      'remove these entries from FALLBACK_DESCRIPTIONS',
    ).toEqual([]);
  });

  it("marks as required what the app's own loader refuses to start without", () => {
    const required = (app: string) =>
      Object.fromEntries(
        describeEnvironment(APP_ENVIRONMENTS.find((environment) => environment.app === app)!)
          .filter((row) => row.required)
          .map((row) => [row.name, row.required]),
      );
    expect(required('auth-server')).toEqual({});
    expect(required('service-b')).toEqual({ AUTH_ISSUER: 'yes' });
    expect(required('service-a')).toEqual({
      AUTH_ISSUER: 'yes',
      CLIENT_ID: 'yes',
      CLIENT_SECRET: 'yes',
      SERVICE_B_URL: 'yes',
    });
    expect(required('devices')).toEqual({
      DEVICE_ROLE: 'yes',
      CLIENT_ID: 'yes',
      CLIENT_SECRET: 'yes',
      AUTH_ISSUER: 'yes',
      HUB_THERMOSTAT_ID: 'if DEVICE_ROLE=hub',
    });
  });

  it('shows defaults from a fresh instance of the env class and what validation allows', () => {
    const serviceB = describeEnvironment(APP_ENVIRONMENTS.find((environment) => environment.app === 'service-b')!);
    expect(serviceB.find((row) => row.name === 'PORT')).toMatchObject({
      default: '7401',
      values: 'integer from 0 to 65535',
    });
    expect(serviceB.find((row) => row.name === 'LOG_LEVEL')).toMatchObject({
      default: 'info',
      values: '`fatal`, `error`, `warn`, `info`, `debug`, `trace`, `silent`',
    });
    expect(serviceB.find((row) => row.name === 'CLIENT_SECRET')).toMatchObject({
      default: undefined,
      values: 'a `tgs_` secret the auth-server generated, or 32 to 512 characters',
    });
  });

  it(`is up to date with the env classes (${REGENERATE})`, () => {
    const reference = readFileSync(REFERENCE, 'utf8');
    const section = configReferenceSection(reference);
    expect(
      section,
      `docs/configuration.md has no ${CONFIG_REFERENCE_START} … ${CONFIG_REFERENCE_END} section: ${REGENERATE}`,
    ).toBeDefined();
    expect(section, `docs/configuration.md's configuration reference differs from the env classes: ${REGENERATE}`).toBe(
      renderConfigReference(),
    );
  });

  it('closes docs/configuration.md, under its heading, once', () => {
    const reference = readFileSync(REFERENCE, 'utf8');
    expect(reference.split(CONFIG_REFERENCE_START).length - 1).toBe(1);
    expect(reference.split(CONFIG_REFERENCE_END).length - 1).toBe(1);
    expect(reference.trimEnd().endsWith(`${CONFIG_REFERENCE_HEADING}\n\n${configReferenceSection(reference)}`)).toBe(
      true,
    );
  });

  it.each(READMES)('is linked from %s, which keeps no copy of its own', (readme) => {
    const text = readFileSync(readme, 'utf8');
    expect(text).toContain('](docs/configuration.md)');
    expect(text).not.toContain(CONFIG_REFERENCE_START);
    expect(text).not.toContain(CONFIG_REFERENCE_END);
  });
});

describe(withConfigReference.name, () => {
  const section = `${CONFIG_REFERENCE_START}\nnew $& $1\n${CONFIG_REFERENCE_END}`;

  it('replaces the marked section and nothing else', () => {
    const markdown = `# Title\n\ntext\n\n${CONFIG_REFERENCE_HEADING}\n\n${CONFIG_REFERENCE_START}\nold $& $1\n${CONFIG_REFERENCE_END}\n`;
    expect(withConfigReference(markdown, section)).toBe(
      `# Title\n\ntext\n\n${CONFIG_REFERENCE_HEADING}\n\n${section}\n`,
    );
  });

  it('appends the section under its heading when the page has none', () => {
    expect(withConfigReference('# Title\n\ntext\n', section)).toBe(
      `# Title\n\ntext\n\n${CONFIG_REFERENCE_HEADING}\n\n${section}\n`,
    );
  });
});
