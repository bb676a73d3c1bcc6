import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { CONSOLE_DIST_DIR } from '../../apps/auth-server/src/console/console-assets.js';
import { AuthServerHarness } from '../support/auth-server.harness.js';

const get = (url: string, headers: Record<string, string> = {}, method = 'GET') =>
  fetch(url, { headers, method, redirect: 'manual' });
const publicFiles = (
  readdirSync(CONSOLE_DIST_DIR, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[]
)
  .filter((entry) => entry.isFile())
  .map((entry) => posix.join(...join(entry.parentPath, entry.name).slice(CONSOLE_DIST_DIR.length).split(/[\\/]/)));

/** How the auth-server serves the console's files (no browser needed). */
describe('console: serving', () => {
  let auth: AuthServerHarness;

  beforeAll(async () => {
    auth = await AuthServerHarness.start();
  });
  afterAll(async () => {
    await auth.stop();
  });

  it('answers every page path with the HTML shell, never stored, under the security headers, without a credential', async () => {
    const index = readFileSync(join(CONSOLE_DIST_DIR, 'index.html'), 'utf8');
    for (const path of [
      '/console',
      '/console/',
      '/console/tokens',
      '/console/admin/audit',
      '/console/admin/users?user=x',
    ]) {
      const response = await get(auth.issuer + path);
      expect(response.status, path).toBe(200);
      expect(await response.text()).toBe(index);
      expect(Object.fromEntries(response.headers)).toMatchObject({
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'x-content-type-options': 'nosniff',
        'cross-origin-opener-policy': 'same-origin',
      });
      const csp = response.headers.get('content-security-policy')!.split('; ');
      expect(csp).toEqual(
        expect.arrayContaining([
          "default-src 'self'",
          "script-src 'self'",
          "style-src 'self'",
          "frame-ancestors 'none'",
          "object-src 'none'",
          "base-uri 'none'",
          "require-trusted-types-for 'script'",
        ]),
      );
      expect(csp.join(' ')).not.toMatch(/unsafe-|data:|\*/);
    }
  });

  it('serves each file with its type and a validator, and answers 304 when it has not changed', async () => {
    const types: Record<string, string> = {
      js: 'text/javascript; charset=utf-8',
      css: 'text/css; charset=utf-8',
      svg: 'image/svg+xml',
      html: 'text/html; charset=utf-8',
    };
    for (const file of publicFiles.filter((name) => name !== 'index.html')) {
      const response = await get(`${auth.issuer}/console/${file}`);
      expect(response.status, file).toBe(200);
      expect(response.headers.get('content-type')).toBe(types[file.split('.').pop()!]);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(Buffer.from(await response.arrayBuffer()).equals(readFileSync(join(CONSOLE_DIST_DIR, file)))).toBe(true);
      const etag = response.headers.get('etag')!;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
      const again = await get(`${auth.issuer}/console/${file}`, { 'if-none-match': etag });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
    }
    const head = await get(`${auth.issuer}/console/js/app.js`, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe(types.js);
  });

  it('answers 404 for files it does not have, whatever the path tries', async () => {
    for (const path of [
      '/console/nope.js',
      '/console/js/../../console.controller.ts',
      '/console/..%2f..%2fpackage.json',
      '/console/%2e%2e/%2e%2e/package.json',
      '/console/js%2f..%2f..%2fconsole-assets.ts',
      '/console/public/index.html',
    ]) {
      const response = await get(auth.issuer + path);
      const body = await response.text();
      expect([404, 400], path).toContain(response.status);
      expect(body).not.toContain('import ');
      expect(body).not.toContain('"name": "tollgate"');
    }
    const missing = await get(`${auth.issuer}/console/nope.js`);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(missing.headers.get('x-frame-options')).toBe('DENY');
    expect(await missing.json()).toMatchObject({
      status: 404,
      type: 'urn:tollgate:problem:not_found',
      detail: 'The console has no file nope.js',
    });
  });

  it('ships no inline script or style and no HTML-string sink, and every module it imports exists', async () => {
    const index = readFileSync(join(CONSOLE_DIST_DIR, 'index.html'), 'utf8');
    expect(index).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(index).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    const scripts = publicFiles.filter((file) => file.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(10);
    for (const file of scripts) {
      const source = readFileSync(join(CONSOLE_DIST_DIR, file), 'utf8');
      expect(source, file).not.toMatch(
        /\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(|localStorage|sessionStorage|console\.log/,
      );
      // The built modules quote their imports as the bundler likes: "…", '…' or `…`.
      for (const [, specifier] of source.matchAll(/(?:from|import\()\s*["'`](\.[^"'`]+)["'`]/g)) {
        const target = posix.normalize(posix.join(posix.dirname(file), specifier));
        expect(publicFiles, `${file} imports ${specifier}`).toContain(target);
        expect((await get(`${auth.issuer}/console/${target}`)).status).toBe(200);
      }
    }
    for (const [, reference] of index.matchAll(/(?:src|href)="(\/console\/[^"]+)"/g)) {
      expect((await get(auth.issuer + reference)).status, reference).toBe(200);
    }
  });
});
