// Lint rules: the recommended sets, plus the layering rule of STYLE.md (storage imports no edge code).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'plugin/rootfs/', 'build/out/', '.tap/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/storage/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: ['hono', 'hono/*', '@hono/*', 'zx', 'zx/*', 'ajv', 'ajv/*', '**/server/**', '**/cli/**'],
        },
      ],
    },
  },
  {
    files: ['src/server/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['zx', 'zx/*', '**/cli/**'] }] },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['hono', 'hono/*', '@hono/*', '**/server/**'] }],
    },
  },
);
