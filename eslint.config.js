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
    // The CLI is a client of the /dvol API (src/api): its types only, so no server code runs in it.
    files: ['src/cli/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['hono', 'hono/*', '@hono/*', '**/server/**'] },
            { group: ['**/api/**'], allowTypeImports: true, message: 'the CLI imports src/api type-only' },
          ],
        },
      ],
    },
  },
  {
    // The /dvol API definition, shared by the server and the CLI: plain data and types, nothing that
    // runs storage or server code.
    files: ['src/api/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['hono', 'hono/*', '@hono/*', 'zx', 'zx/*', 'ajv', 'ajv/*', '**/server/**', '**/cli/**'],
            },
            {
              group: ['**/storage/**'],
              allowTypeImports: true,
              message: 'src/api imports storage types only',
            },
          ],
        },
      ],
    },
  },
);
