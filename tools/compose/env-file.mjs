// The .env docker-compose.yml reads, written from .env.example with random secrets (npm run compose:up,
// npm run compose:smoke). Plain JavaScript: it runs before anything is built.
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';

const EMPTY = /^([A-Z][A-Z0-9_]*)=$/;
const SETTING = /^([A-Z][A-Z0-9_]*)=(.*)$/;

/** A fresh secret: 32 random bytes in base64url (43 characters, safe unescaped in a connection URL). */
export function randomSecret() {
  return randomBytes(32).toString('base64url');
}

/**
 * The example's text with every empty `NAME=` given a fresh secret (each its own), and the values in
 * `overrides` in place of the example's; comments and everything else as they are.
 */
export function fillEnvExample(example, { overrides = {}, secret = randomSecret } = {}) {
  return example
    .split('\n')
    .map((line) => {
      const name = SETTING.exec(line)?.[1];
      if (name !== undefined && name in overrides) return `${name}=${overrides[name]}`;
      return EMPTY.test(line) ? `${line}${secret()}` : line;
    })
    .join('\n');
}

/**
 * Writes `path` from the example (see fillEnvExample), readable by its owner only (0600), unless the
 * file exists: an existing .env is never overwritten (its secrets are already in the databases).
 * Resolves to 'written' or 'exists'.
 */
export function writeEnvFile(path, examplePath, options = {}) {
  const text = `# Written by npm run compose:up from .env.example on ${new Date().toISOString()}, with random secrets.\n${fillEnvExample(readFileSync(examplePath, 'utf8'), options)}`;
  try {
    // wx: fails if the file exists, even if it appeared a moment ago.
    writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if (error.code === 'EEXIST') return 'exists';
    throw error;
  }
  chmodSync(path, 0o600);
  return 'written';
}

/** The settings of a dotenv file, by name (comments and blank lines skipped). */
export function readEnvFile(path) {
  const settings = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = SETTING.exec(line.trim());
    if (match) settings[match[1]] = match[2];
  }
  return settings;
}
