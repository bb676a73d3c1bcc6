import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The built console: `npm run build` builds apps/console into dist/apps/console (its
 * vite.config.ts). This module runs compiled, from dist/apps/auth-server/apps/auth-server/src/console/
 * (`npm run start:auth-server`, the demo, the image), or from its sources under vitest.
 */
export const CONSOLE_DIST_DIR = fileURLToPath(
  new URL(
    import.meta.url.endsWith('.ts') ? '../../../../dist/apps/console/' : '../../../../../console/',
    import.meta.url,
  ),
);

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
