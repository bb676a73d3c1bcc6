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
    if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) || !statement.moduleSpecifier)
      continue;
    const specifier = (statement.moduleSpecifier as ts.StringLiteral).text;
    const names: string[] = [];
    const bindings = ts.isImportDeclaration(statement) ? statement.importClause?.namedBindings : undefined;
    if (bindings && ts.isNamedImports(bindings))
      names.push(...bindings.elements.map((element) => (element.propertyName ?? element.name).text));
    const target = specifier.startsWith('.')
      ? posix.normalize(posix.join(posix.dirname(from), specifier)).replace(/\.js$/, '.ts')
      : undefined;
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

/** Loops in the graph of top-level folders, each as `a → b → a`. */
function folderLoops(imports: SourceImport[]): string[] {
  const graph = new Map<string, Set<string>>();
  for (const { from, target } of imports) {
    const [source, destination] = [folderOf(from), target && folderOf(target)];
    if (!source || !destination || source === destination || destination.startsWith('..')) continue;
    // The schema lists every feature's entities and migrations; nothing imports it but the app's wiring.
    if (source === 'database') continue;
    graph.set(source, (graph.get(source) ?? new Set()).add(destination));
  }
  return cyclesOf(graph).map((cycle) => cycle.join(' → '));
}

/** Imports of TypeORM's data access outside repositories, entities and the database folder. */
function dataAccessOutsideRepositories(imports: SourceImport[]): string[] {
  return imports
    .filter(({ from }) => !PERSISTENCE_FILE.test(from) && folderOf(from) !== 'database')
    .flatMap(({ from, specifier, names }) =>
      (PERSISTENCE_NAMES[specifier] ?? []).filter((name) => names.includes(name)).map((name) => `${from}: ${name}`),
    );
}

/**
 * Imports of another feature's entity file. Relations between entities are the schema's foreign
 * keys, and the database folder lists every entity; a feature that needs another's stored shape
 * gets it from that feature's repository or service (which may re-export the type).
 */
function foreignEntityImports(imports: SourceImport[]): string[] {
  return imports
    .filter(({ from, target }) => target?.endsWith('.entity.ts') && folderOf(from) !== folderOf(target))
    .filter(({ from }) => !from.endsWith('.entity.ts') && folderOf(from) !== 'database' && folderOf(from) !== undefined)
    .map(({ from, target }) => `${from} → ${target}`);
}

const imports = sourceFiles(SOURCE).flatMap(importsOf);

describe('auth-server imports', () => {
  it('reads the source it checks', () => {
    expect(imports.length).toBeGreaterThan(100);
    expect(imports.some((i) => i.from === 'clients/clients.service.ts' && i.target === 'audit/audit.service.ts')).toBe(
      true,
    );
  });

  it('catches what it looks for', () => {
    const bad: SourceImport[] = [
      {
        from: 'users/users.service.ts',
        specifier: '../roles/roles.service.js',
        target: 'roles/roles.service.ts',
        names: ['RolesService'],
      },
      {
        from: 'roles/user-changes.ts',
        specifier: '../users/user.entity.js',
        target: 'users/user.entity.ts',
        names: ['UserEntity'],
      },
      { from: 'roles/roles.service.ts', specifier: 'typeorm', names: ['DataSource', 'In'] },
      { from: 'roles/roles.repository.ts', specifier: '@nestjs/typeorm', names: ['InjectRepository'] },
      {
        from: 'pats/pat.entity.ts',
        specifier: '../users/user.entity.js',
        target: 'users/user.entity.ts',
        names: ['UserEntity'],
      },
    ];
    expect(folderLoops(bad)).toEqual(['users → roles → users']);
    expect(dataAccessOutsideRepositories(bad)).toEqual(['roles/roles.service.ts: DataSource']);
    expect(foreignEntityImports(bad)).toEqual(['roles/user-changes.ts → users/user.entity.ts']);
  });

  it('has no import loop between its top-level folders', () => {
    expect(folderLoops(imports)).toEqual([]);
  });

  it('keeps data access in repositories (and entities and the database folder)', () => {
    expect(dataAccessOutsideRepositories(imports)).toEqual([]);
  });

  it('lets a feature reach another feature’s tables only through that feature’s repository or service', () => {
    expect(foreignEntityImports(imports)).toEqual([]);
  });
});
