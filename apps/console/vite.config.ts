import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The web console: a static front-end the auth-server serves at /console under a strict CSP
 * (apps/auth-server/src/console). `npm run build` writes it to dist/apps/console.
 *
 * File names stay stable (js/app.js, js/pages/tokens.js, console.css): the auth-server
 * revalidates every file with its ETag, so content hashes in names would add nothing.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('../../dist/apps/console', import.meta.url)),
    emptyOutDir: true,
    target: 'es2023',
    // The CSP allows images from this origin only (img-src 'self'): never a data: URL.
    assetsInlineLimit: 0,
    // Every browser the console supports preloads modules natively.
    modulePreload: { polyfill: false },
    rolldownOptions: {
      output: {
        // What the shell and the pages share goes in one chunk of its own, so that no page chunk
        // imports the entry (js/app.js) and the chunks import each other in one direction only.
        codeSplitting: { groups: [{ name: 'shared', test: /\/apps\/console\/src\/(?!app\.ts$|pages\/)/ }] },
        entryFileNames: 'js/app.js',
        chunkFileNames: (chunk) =>
          chunk.facadeModuleId?.includes('/src/pages/') ? 'js/pages/[name].js' : 'js/[name].js',
        // One stylesheet (console.css, imported by index.html) and the favicon.
        assetFileNames: (asset) =>
          asset.names.some((name) => name.endsWith('.css')) ? 'console.css' : '[name][extname]',
      },
    },
  },
});
