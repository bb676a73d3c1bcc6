/** Types of env-file.mjs (plain JavaScript, so that `npm run compose:up` needs no build). */
export function randomSecret(): string;
export function fillEnvExample(
  example: string,
  options?: { overrides?: Record<string, string>; secret?: () => string },
): string;
export function writeEnvFile(
  path: string,
  examplePath: string,
  options?: { overrides?: Record<string, string>; secret?: () => string },
): 'written' | 'exists';
export function readEnvFile(path: string): Record<string, string>;
