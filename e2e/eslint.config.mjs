import { handoffConfig } from '@handoff/eslint-config';

export default [
  ...handoffConfig({ tsconfigRootDir: import.meta.dirname, ignores: ['artifacts/**', 'eslint.config.mjs', 'jest.config.js'] }),
  // checkJs type-checks the plain-JS support files, which already catches undefined names.
  { files: ['**/*.mjs'], rules: { 'no-undef': 'off' } },
];
