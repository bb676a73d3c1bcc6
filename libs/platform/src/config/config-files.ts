import { readFileSync } from 'node:fs';

/**
 * Reads the file a variable names (a certificate, a key) at boot; a file that cannot be read adds a
 * problem naming the variable (for the one ConfigError that lists them all) and gives undefined.
 */
export function readConfigFile(variable: string, file: string | undefined, problems: string[]): string | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    problems.push(`${variable}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    return undefined;
  }
}
