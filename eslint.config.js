// @ts-check
import tseslint from 'typescript-eslint';

/** Folders of the domain: they must not import Azure SDKs (adapters live in shared/azure/) nor OpenTelemetry (the metrics port is shared/telemetry/metrics.ts). */
const domainFolders = [
  'shared/telemetry/**',
  'shared/alerts/**',
  'shared/playbooks/**',
  'shared/defender/**',
  'shared/pacing/**',
  'shared/runs/**',
  'shared/evidence/**',
  'shared/bus/**',
  'shared/concurrency/**',
  'shared/devices/**',
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
    ignores: ['shared/composition.ts', 'shared/busFromConfig.ts', 'shared/telemetry/openTelemetryMetrics.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@azure/*'], message: 'Domain code must not import Azure SDKs: put SDK code in shared/azure/ behind a port.' },
            {
              group: ['@opentelemetry/*'],
              message:
                'Domain code records metrics through the port (shared/telemetry/metrics.ts); only its adapter imports OpenTelemetry.',
            },
          ],
        },
      ],
    },
  },
  {
    // The simulator is a product of its own (simulator/README.md): nothing from the responder's host, functions or
    // tools, and from shared/ only the three modules its README names.
    files: ['simulator/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(local|functions|tools|bench|test)/',
              message: 'The simulator stands alone: it must not import the responder (local/, functions/, tools/) or tests.',
            },
            {
              regex: '^(\\.\\./)+shared/(?!clock\\.js$|defender/types\\.js$|defender/port\\.js$)',
              message:
                'The simulator imports from shared/ only clock.js, defender/types.js and defender/port.js (see simulator/README.md).',
            },
          ],
        },
      ],
    },
  },
  {
    // The console runs in the browser: its own tsconfig (DOM, no Node).
    files: ['console/**/*.ts'],
    languageOptions: { parserOptions: { project: './console/tsconfig.json', tsconfigRootDir: import.meta.dirname } },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
