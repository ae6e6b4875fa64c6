// SPDX-License-Identifier: LGPL-2.1-or-later
// eslint.config.mjs — ESLint for the UI (web/js, the catalogues) and the JavaScript
// that tests and builds it (tests/, web/tools/), run by `make lint` from node_modules
// (no network). In the spirit of noVNC's config: the recommended rules, then the few
// that forbid confusing code (unused names, var, loose equality but for `== null`,
// bodiless if/else spread over lines), console left to tools and tests. Formatting is
// not checked here: the code keeps its own (4 spaces, single quotes), as review does.
// The UI's own rule, virtdeck/no-literal-ui-string (tests/lint/), keeps user-visible
// text in the catalogues; tests/lint/catalogue.mjs checks the catalogues themselves.

import js from '@eslint/js';
import globals from 'globals';
import virtdeck from './tests/lint/eslint-plugin-virtdeck.mjs';

export default [
    {
        // Build output and copies of third-party packages (see .gitignore).
        ignores: ['build/**', 'build-*/**', 'web/vendor/**', 'tests/e2e/artifacts/**'],
    },
    js.configs.recommended,
    {
        files: ['**/*.js', '**/*.mjs'],
        languageOptions: {
            ecmaVersion: 2024,
            sourceType: 'module',
        },
        linterOptions: {
            reportUnusedDisableDirectives: 'error',
        },
        rules: {
            'no-unused-vars': ['error', {
                vars: 'all', args: 'none', ignoreRestSiblings: true, caughtErrors: 'none',
            }],
            'no-constant-condition': ['error', { checkLoops: false }],
            'no-var': 'error',
            'prefer-const': ['error', { destructuring: 'all' }],
            eqeqeq: ['error', 'smart'],
            curly: ['error', 'multi-line'],
            'no-useless-constructor': 'error',
            'no-throw-literal': 'error',
            'no-implicit-globals': 'error',
            'no-shadow-restricted-names': 'error',
        },
    },
    {
        // The UI runs in the browser: the page's globals, and console only for what a
        // developer must see (warnings and errors).
        files: ['web/**/*.js'],
        languageOptions: {
            globals: { ...globals.browser },
        },
        rules: {
            'no-console': ['error', { allow: ['warn', 'error'] }],
        },
    },
    {
        // Every user-visible string goes through the catalogue (web/js/i18n.js).
        files: ['web/js/**/*.js'],
        plugins: { virtdeck },
        rules: {
            'virtdeck/no-literal-ui-string': 'error',
        },
    },
    {
        // Tests, benchmarks, build tools and this file run in Node and may print.
        files: ['tests/**/*.mjs', 'tests/**/*.js', 'web/tools/**', '*.mjs'],
        languageOptions: {
            globals: { ...globals.node },
        },
        rules: {
            'no-console': 'off',
        },
    },
    {
        // Browser tests and their helpers hand functions to the page (page.evaluate):
        // those see the page's globals.
        files: ['tests/e2e/**', 'tests/lib/**', 'tests/bench/web/**', 'tests/bench/metrics/graph-render.mjs'],
        languageOptions: {
            globals: { ...globals.browser, ...globals.node },
        },
    },
];
