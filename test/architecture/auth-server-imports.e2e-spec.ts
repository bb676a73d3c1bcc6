import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/**
 * The auth-server's shape (issue 12): every feature owns its tables behind a repository, and the
 * features form a graph without loops. Read from the import statements of apps/auth-server/src.
 */
const SOURCE = resolve(import.meta.dirname, '../../apps/auth-server/src');

/** Where TypeORM's data access may appear: entities, repositories and the database folder. */
const PERSISTENCE_FILE = /\.(entity|repository)\.ts$/;
const PERSISTENCE_NAMES: Record<string, readonly string[]> = {
  typeorm: ['DataSource', 'EntityManager', 'Repository', 'QueryRunner'],
  '@nestjs/typeorm': ['InjectRepository', 'InjectDataSource', 'InjectEntityManager'],
};

interface SourceImport {
  /** Path of the importing file, relative to src, with forward slashes. */
  from: string;
  /** The module specifier as written. */
  specifier: string;
  /** The imported file relative to src (relative specifiers only). */
  target?: string;
  names: string[];
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'public' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

function importsOf(file: string): SourceImport[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const from = relative(SOURCE, file).split(sep).join('/');
  const found: SourceImport[] = [];
  for (const statement of source.statements) {
    if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) || !statement.moduleSpecifier) continue;
    const specifier = (statement.moduleSpecifier as ts.StringLiteral).text;
    const names: string[] = [];
    const bindings = ts.isImportDeclaration(statement) ? statement.importClause?.namedBindings : undefined;
    if (bindings && ts.isNamedImports(bindings)) names.push(...bindings.elements.map((element) => (element.propertyName ?? element.name).text));
    const target = specifier.startsWith('.') ? posix.normalize(posix.join(posix.dirname(from), specifier)).replace(/\.js$/, '.ts') : undefined;
    found.push({ from, specifier, target, names });
  }
  return found;
}

/** The top-level folder of a path under src, or undefined for the files at its root (the app's wiring). */
function folderOf(path: string): string | undefined {
  const [first, ...rest] = path.split('/');
  return rest.length > 0 ? first : undefined;
}

function cyclesOf(graph: Map<string, Set<string>>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    path.push(node);
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

const imports = sourceFiles(SOURCE).flatMap(importsOf);

/**
 * What is still to be reshaped (issue 12), each listed exactly as the check reports it. An entry that
 * no longer offends fails the check too, so this list only shrinks.
 */
const NOT_YET_CONVERTED = new Set<string>([
  "oauth/client-authentication.service.ts: InjectDataSource",
  "oauth/client-authentication.service.ts: DataSource",
  "oauth/client-authentication.service.ts → clients/client-grant.entity.ts",
  "oauth/client-authentication.service.ts → clients/client-secret.entity.ts",
  "oauth/client-authentication.service.ts → clients/client.entity.ts",
  "oauth/client-authentication.service.ts → resources/resource.entity.ts",
]);

function expectOnlyKnown(offending: string[]): void {
  expect(offending.filter((entry) => !NOT_YET_CONVERTED.has(entry))).toEqual([]);
}

afterAll(() => {
  const reported = new Set(reports);
  expect([...NOT_YET_CONVERTED].filter((entry) => !reported.has(entry))).toEqual([]);
});
const reports: string[] = [];

describe('auth-server imports', () => {
  it('reads the source it checks', () => {
    expect(imports.length).toBeGreaterThan(100);
    expect(imports.some((i) => i.from === 'clients/clients.service.ts' && i.target === 'audit/audit.service.ts')).toBe(true);
  });

  it('has no import loop between its top-level folders', () => {
    const graph = new Map<string, Set<string>>();
    for (const { from, target } of imports) {
      const [source, destination] = [folderOf(from), target && folderOf(target)];
      if (!source || !destination || source === destination || destination.startsWith('..')) continue;
      // The schema lists every feature's entities and migrations; nothing imports it but the app's wiring.
      if (source === 'database') continue;
      graph.set(source, (graph.get(source) ?? new Set()).add(destination));
    }
    const cycles = cyclesOf(graph).map((cycle) => cycle.join(' → '));
    reports.push(...cycles);
    expectOnlyKnown(cycles);
  });

  it('keeps data access in repositories (and entities and the database folder)', () => {
    const offending = imports
      .filter(({ from }) => !PERSISTENCE_FILE.test(from) && folderOf(from) !== 'database')
      .flatMap(({ from, specifier, names }) => (PERSISTENCE_NAMES[specifier] ?? []).filter((name) => names.includes(name)).map((name) => `${from}: ${name}`));
    reports.push(...offending);
    expectOnlyKnown(offending);
  });

  it('lets a feature reach another feature’s tables only through that feature’s repository or service', () => {
    const offending = imports
      .filter(({ from, target }) => target?.endsWith('.entity.ts') && folderOf(from) !== folderOf(target))
      // Relations between entities are the schema's foreign keys; the database folder lists every entity.
      .filter(({ from }) => !from.endsWith('.entity.ts') && folderOf(from) !== 'database' && folderOf(from) !== undefined)
      .map(({ from, target }) => `${from} → ${target}`);
    reports.push(...offending);
    expectOnlyKnown(offending);
  });
});
