import { defineConfig } from 'vitest/config';
export default defineConfig({
  // Resolves the @tollgate/* aliases from tsconfig.json, as `nest build` does.
  resolve: { tsconfigPaths: true },
  test: {
    globals: true,
    root: './',
    include: [
      'apps/**/*.spec.ts',
      'apps/**/*.e2e-spec.ts',
      'libs/**/*.spec.ts',
      'bench/**/*.spec.ts',
      'test/**/*.e2e-spec.ts',
    ],
    // The auth-server serves the built console (dist/apps/console): built here when stale.
    globalSetup: ['test/support/console-build.global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
