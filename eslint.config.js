import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', globalThis: 'readonly' } },
  },
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
    },
  },
  {
    // Business time comes from the hub's Clock (src/common/clock.ts), never from the machine or the database directly:
    // tests set the clock, and the database may run on another one. Durations use performance.now().
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.spec.ts', 'src/common/clock.ts', 'src/database/migrations/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Business time comes from the Clock (clock.now()); a duration uses performance.now().',
        },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'Business time comes from the Clock (clock.nowMs()); a duration uses performance.now().',
        },
        {
          selector: 'TemplateElement[value.raw=/(?<!updated_at = )\\bnow\\(\\)/i], Literal[value=/(?<!updated_at = )\\bnow\\(\\)/i]',
          message:
            "SQL now() must not decide business time: pass the Clock's instant as a parameter. Only operational time " +
            '(updated_at, throttles, retry back-off) may use the database clock, with a disable comment saying so.',
        },
      ],
    },
  },
  {
    // A test that reads the machine's date passes only on some days: tests read or set the hub's clock (ctx.clock),
    // and `HUB_TEST_NOW` moves it for a whole run. Durations use performance.now().
    files: ['test/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0], CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: "Tests read or set the hub's clock (ctx.clock); a duration uses performance.now().",
        },
      ],
    },
  },
);
