import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

interface LockedPackage {
  engines?: { node?: string };
  dev?: boolean;
}

/** Issue 17, point 7: the Node versions the project says it supports, against what its dependencies accept. */
describe('supported Node versions', () => {
  const supported = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
  const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, LockedPackage> };
  // The lowest version of each range the project names (e.g. 22.22.3 and 24.15.0), and the image's.
  const lowest = supported.split('||').map((range) => semver.minVersion(range.trim())!.version);

  it('supports Node 24 LTS and no end-of-life Node', () => {
    expect(semver.satisfies('24.15.0', supported)).toBe(true);
    expect(semver.satisfies('20.19.0', supported)).toBe(false);
    expect(read('.nvmrc').trim()).toBe('24');
    expect(read('Dockerfile')).toMatch(/^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
  });

  it.each(lowest)('every locked package accepts Node %s (a fresh npm ci warns EBADENGINE for none)', (version) => {
    const refusing = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && entry.engines?.node && !semver.satisfies(version, entry.engines.node))
      .map(([path, entry]) => `${path.replace(/^.*node_modules\//, '')} (node ${entry.engines!.node})`);
    expect(refusing).toEqual([]);
  });
});
