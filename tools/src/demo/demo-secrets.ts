import { generateCredential, randomBase62 } from '@tollgate/credentials';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SeedError } from '../seed/seed-error.js';

export interface DemoSecrets<Name extends string> {
  values: Record<Name, string>;
  /** Names generated in this run (written to the file). */
  generated: Name[];
}

/**
 * The demo's secrets: from the environment when given there, otherwise from the secrets file,
 * otherwise generated (tgs_… client secrets, random passwords) and saved. The file is readable by its owner
 * only (0600); secrets from the environment are never written to it.
 */
export function loadDemoSecrets<Name extends string>(
  file: string,
  names: readonly Name[],
  overrides: Partial<Record<Name, string>>,
): DemoSecrets<Name> {
  const stored = readSecretsFile(file);
  const generated: Name[] = [];
  const values = {} as Record<Name, string>;
  for (const name of names) {
    const value = overrides[name] ?? stored[name];
    if (value !== undefined) values[name] = value;
    else {
      // A password is typed into the console by a person: shorter, and not shaped like a client secret.
      values[name] = name.endsWith('_PASSWORD') ? randomBase62(20) : generateCredential('client_secret');
      stored[name] = values[name];
      generated.push(name);
    }
  }
  if (generated.length > 0) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, file);
  }
  if (existsSync(file)) chmodSync(file, 0o600);
  return { values, generated };
}

function readSecretsFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new SeedError(
      `${file} is not valid JSON: delete it and the demo generates new secrets (and sets them on the clients)`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new SeedError(`${file} must hold a JSON object of secrets: delete it to start afresh`);
  return Object.fromEntries(
    Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}
