import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadServiceAConfig } from '../../apps/service-a/src/config/service-a.config.js';
import { createServiceA } from '../../apps/service-a/src/service-a.app.js';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import { ServiceBHarness } from '../support/service-b.harness.js';
import { createSqliteDatabase } from '../support/test-databases.js';

const ROOT = join(import.meta.dirname, '..', '..');
const READMES = ['README.md', 'README.ko.md'];
/** The READMEs and the pages they link to: every command anywhere in the docs is held to the same checks. */
const PAGES = [
  ...READMES,
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

interface CurlCall {
  readme: string;
  command: string;
  method: string;
  base: 'auth' | 'crm' | 'serviceA';
  path: string;
}

function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]);
}

/** Every curl in a block, with its continuation lines joined, its method and the route it targets. */
function curlCalls(readme: string, block: string): CurlCall[] {
  const joined = block.replace(/\\\n\s*/g, ' ');
  return [...joined.matchAll(/curl\s[^\n|)]*/g)].map(([command]) => {
    const explicit = /-X\s+([A-Z]+)/.exec(command)?.[1];
    const method = explicit ?? (/\s-d\s/.test(command) ? 'POST' : 'GET');
    const url = /"?(\$AUTH|\$CRM|http:\/\/localhost:7402)(\/[^"\s]*)"?/.exec(command);
    if (!url) throw new Error(`${readme}: a curl without a known base URL: ${command}`);
    const base = url[1] === '$AUTH' ? 'auth' : url[1] === '$CRM' ? 'crm' : 'serviceA';
    return { readme, command, method, base, path: url[2].split('?')[0] };
  });
}

function routeMatcher(
  openApiPaths: Record<string, Record<string, unknown>>,
): (method: string, path: string) => boolean {
  const routes = Object.entries(openApiPaths).flatMap(([template, operations]) =>
    Object.keys(operations).map((method) => ({
      method: method.toUpperCase(),
      pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    })),
  );
  return (method, path) =>
    routes.some((route) => route.method === method && route.pattern.test(path.replace(/\$[A-Z_]+/g, 'x')));
}

/** The copy-paste commands of the READMEs and docs/ must parse and call routes that exist (checked against each app's OpenAPI document). */
describe('README walkthroughs', () => {
  let auth: AuthServerHarness;
  let crm: ServiceBHarness;
  const matchers: Partial<Record<CurlCall['base'], (method: string, path: string) => boolean>> = {};
  let closeServiceA: () => Promise<void>;

  beforeAll(async () => {
    auth = await AuthServerHarness.start();
    crm = await ServiceBHarness.start(auth);
    const database = await createSqliteDatabase();
    const serviceA = await createServiceA(
      loadServiceAConfig({
        AUTH_ISSUER: auth.issuer,
        CLIENT_ID: 'x-client',
        CLIENT_SECRET: 'x'.repeat(32),
        SERVICE_B_URL: crm.url,
        DATABASE_URL: database.url,
        SYNC_INTERVAL_SECONDS: '0',
        LOG_LEVEL: 'silent',
      }),
    );
    await serviceA.listen(0, '127.0.0.1');
    closeServiceA = async () => {
      await serviceA.close();
      await database.drop();
    };
    const documents = {
      auth: `${auth.issuer}/docs/json`,
      crm: `${crm.url}/docs/json`,
      serviceA: `${await serviceA.getUrl()}/docs/json`,
    };
    for (const [base, url] of Object.entries(documents))
      matchers[base as CurlCall['base']] = routeMatcher((await (await fetch(url)).json()).paths);
  });
  afterAll(async () => {
    await closeServiceA();
    await crm.stop();
    await auth.stop();
  });

  it.each(PAGES)('%s: every shell block parses', (page) => {
    for (const block of shellBlocks(readFileSync(join(ROOT, page), 'utf8'))) {
      expect(
        () => execFileSync('bash', ['-n'], { input: block, stdio: ['pipe', 'pipe', 'pipe'] }),
        block,
      ).not.toThrow();
    }
  });

  it.each(PAGES)('%s: every curl targets a route that exists', (page) => {
    const calls = shellBlocks(readFileSync(join(ROOT, page), 'utf8')).flatMap((block) => curlCalls(page, block));
    if (READMES.includes(page)) expect(calls.length).toBeGreaterThan(15);
    const missing = calls
      .filter((call) => !matchers[call.base]!(call.method, call.path))
      .map((call) => `${call.method} ${call.base}${call.path}  ←  ${call.command}`);
    expect(missing).toEqual([]);
  });

  it('keeps the Korean walkthrough in step with the English one: the same commands, block by block', () => {
    const blocks = (readme: string) => shellBlocks(readFileSync(join(ROOT, readme), 'utf8'));
    const [english, korean] = [blocks('README.md'), blocks('README.ko.md')];
    expect(korean.length).toBe(english.length);
    // The first block's comments are translated; its commands are not.
    const withoutComments = (block: string) => block.split('\n').map((line) => line.replace(/\s+#.*$/, '').trimEnd());
    expect(withoutComments(korean[0])).toEqual(withoutComments(english[0]));
    expect(korean.slice(1)).toEqual(english.slice(1));
  });
});
