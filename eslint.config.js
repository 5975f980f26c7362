// @ts-check
import tseslint from 'typescript-eslint';

/** Folders of the domain: they must not import Azure SDKs (adapters live in shared/azure/). */
const domainFolders = [
  'shared/alerts/**',
  'shared/playbooks/**',
  'shared/defender/**',
  'shared/pacing/**',
  'shared/runs/**',
  'shared/evidence/**',
  'shared/bus/**',
  'shared/concurrency/**',
  'shared/services/**',
  'shared/*.ts',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.local/**', 'coverage/**', '.scratch/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
    },
  },
  {
    files: domainFolders,
    ignores: ['shared/composition.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@azure/*'], message: 'Domain code must not import Azure SDKs: put SDK code in shared/azure/ behind a port.' },
          ],
        },
      ],
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
