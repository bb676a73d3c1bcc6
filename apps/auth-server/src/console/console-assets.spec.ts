import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleAssets } from './console-assets.js';

describe(ConsoleAssets.name, () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'tollgate-console-'));
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('reads the files it can serve, by path, with their type and SHA-256 ETag', () => {
    mkdirSync(join(directory, 'js', 'pages'), { recursive: true });
    writeFileSync(join(directory, 'index.html'), '<!doctype html>');
    writeFileSync(join(directory, 'js', 'pages', 'tokens.js'), 'export {}');
    writeFileSync(join(directory, 'notes.md'), '# not served');
    const sut = new ConsoleAssets(directory);
    expect(sut.paths).toEqual(['index.html', 'js/pages/tokens.js']);
    expect(sut.get('js/pages/tokens.js')).toEqual({
      body: Buffer.from('export {}'),
      contentType: 'text/javascript; charset=utf-8',
      etag: `"${createHash('sha256').update('export {}').digest('base64url')}"`,
    });
    expect(sut.index.contentType).toBe('text/html; charset=utf-8');
    expect(sut.get('notes.md')).toBeUndefined();
    expect(sut.get('../index.html')).toBeUndefined();
  });

  it('refuses to start without index.html, naming the folder', () => {
    expect(() => new ConsoleAssets(directory)).toThrow(`The console's index.html is missing from ${directory}`);
  });

  it('finds the console that `npm run build` built from apps/console', () => {
    const sut = new ConsoleAssets();
    expect(sut.paths).toEqual(
      expect.arrayContaining(['index.html', 'console.css', 'favicon.svg', 'js/app.js', 'js/pages/tokens.js']),
    );
  });
});
