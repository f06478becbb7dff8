import { defineConfig } from 'vitest/config';

/**
 * The root config leaves test/compat out of `npm test` (the matrix itself runs through
 * `npm run test:compat`); this one runs the matrix's own unit tests (comparison, data set, murmur2):
 *   npx vitest run --config test/compat/vitest.config.ts
 */
export default defineConfig({
  test: {
    root: new URL('.', import.meta.url).pathname,
    include: ['**/*.test.ts'],
    exclude: ['go/**', 'python/**'],
  },
});
