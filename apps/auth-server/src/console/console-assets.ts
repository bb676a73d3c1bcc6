import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The built console: `npm run build` builds apps/console into dist/apps/console (its
 * vite.config.ts). This module runs compiled, from dist/<project>/apps/auth-server/src/console/ (the
 * auth-server's own build for `npm run start:auth-server`, the demo and the image; the tools' build
 * for `npm run openapi`), or from its sources under vitest.
 */
export const CONSOLE_DIST_DIR = consoleDistDir(fileURLToPath(import.meta.url));

function consoleDistDir(modulePath: string): string {
  if (modulePath.endsWith('.ts')) return fileURLToPath(new URL('../../../../dist/apps/console/', import.meta.url));
  const dist = modulePath.lastIndexOf(`${sep}dist${sep}`);
  return join(modulePath.slice(0, dist), 'dist', 'apps', 'console') + sep;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
};

export interface ConsoleAsset {
  body: Buffer;
  contentType: string;
  /** Strong validator (RFC 9110 §8.8.3): the SHA-256 of the body. */
  etag: string;
}

/**
 * The console's static files, read once at start into memory. Requests are answered from this map
 * only: a request path is a key lookup, never a filesystem path, so nothing outside the folder can
 * be reached whatever the path contains.
 */
export class ConsoleAssets {
  private readonly assets = new Map<string, ConsoleAsset>();

  constructor(directory: string = CONSOLE_DIST_DIR) {
    for (const file of listFiles(directory)) {
      const contentType = CONTENT_TYPES[extname(file)];
      if (!contentType) continue;
      const body = readFileSync(file);
      const path = relative(directory, file).split(sep).join('/');
      this.assets.set(path, { body, contentType, etag: `"${createHash('sha256').update(body).digest('base64url')}"` });
    }
    if (!this.assets.has('index.html'))
      throw new Error(
        `The console's index.html is missing from ${directory} (\`npm run build\` builds it from apps/console)`,
      );
  }

  /** A file by its path under /console/ (e.g. `js/app.js`). */
  get(path: string): ConsoleAsset | undefined {
    return this.assets.get(path);
  }

  get index(): ConsoleAsset {
    return this.assets.get('index.html')!;
  }

  get paths(): string[] {
    return [...this.assets.keys()].sort();
  }
}

function listFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}
