// Lint for onair: the async and switch bugs the type checker lets through, and the layer
// boundaries of the design (docs: design.md "Boundaries"). Every project's `lint` target
// (`npm run lint`, and `npm test` before the jest run) runs eslint from its own folder
// against this one file.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import globals from 'globals';
import nextPlugin from '@next/eslint-plugin-next';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const root = path.dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------------------------------
// Boundaries. A rule here rather than no-restricted-imports: that rule matches the import
// string, so '../whip/x' from live/ and '../../whip/x' from a deeper folder need separate
// patterns, and its options don't merge when two file globs overlap. This one resolves a
// relative import to a path from the repository root and checks it against every zone the
// importing file is in. Bare specifiers ('janode', '@prisma/client') are checked as written.

const api = 'apps/api/src/';
/** Folders of apps/api/src, lowest first. */
const below = (...dirs) => new RegExp(`^${api}(${dirs.join('|')})/`);
const prisma = /^(@prisma\/|apps\/api\/src\/generated\/prisma(\/|$)|apps\/api\/src\/database\/prisma\.service$)/;

/** @type {{ files: RegExp, except?: RegExp, forbid: RegExp, because: string }[]} */
const zones = [
  {
    files: /^apps\/api\//,
    except: /^apps\/api\/src\/media\/janus\/|^apps\/api\/(test|bench)\//,
    forbid: /^janode(\/|$)/,
    because: 'janode stays inside the Janus adapter (apps/api/src/media/janus); everything else speaks the MediaServer port',
  },
  {
    // The composition root picks the adapter; the harness and the bench open their own raw
    // view of Janus on purpose (the floor onair is measured against).
    files: /^apps\/api\//,
    except: /^apps\/api\/src\/media\/janus\/|^apps\/api\/src\/app\.module\.ts$|^apps\/api\/(test|bench)\//,
    forbid: /^apps\/api\/src\/media\/janus\//,
    because: 'the Janus adapter is reached through the MediaServer port (media/media-server.ts), never directly',
  },
  {
    // Module files list PrismaService among their providers; they never query.
    files: /^apps\/api\//,
    except: /\.repository(\.spec)?\.ts$|^apps\/api\/src\/database\/|^apps\/api\/(test|bench)\/|^apps\/api\/src\/(app|cli\/cli)\.module\.ts$/,
    forbid: prisma,
    because: 'Prisma stays in *.repository.ts and database/: repositories return onair\'s own types',
  },
  {
    files: /^(apps\/web|libs)\//,
    forbid: /^(janode|@prisma\/|@nestjs\/)/,
    because: 'only apps/api talks to Janus and to the database',
  },
  {
    files: /^apps\/web\//,
    forbid: /^apps\/api\/|^@onair\/api(\/|$)/,
    because: 'apps/web reaches the API over HTTP only; shared shapes go through a lib',
  },
  {
    files: /^libs\//,
    forbid: /^apps\/|^@onair\/(api|web)(\/|$)/,
    because: 'libs never import apps',
  },
  // Within apps/api the arrows point down: controllers -> services -> live/, channels/ ->
  // media port; repositories -> database/, config/, errors/. Specs sit above everything and
  // may wire a whole slice (channels/publish-access.spec.ts drives BroadcastService).
  {
    files: /^apps\/api\/src\/.*(?<!\.spec)\.ts$/,
    except: /^apps\/api\/src\/app\.module\.ts$/,
    forbid: /\.controller$/,
    because: 'nothing calls a controller: it is the top of its slice (app.module.ts wires it)',
  },
  {
    files: /^apps\/api\/src\/(errors|config|limits|supervision)\/.*(?<!\.spec)\.ts$/,
    forbid: /^apps\/|^@onair\/(?!protocol$)/,
    because: 'errors/, config/, limits/ and supervision/ are the bottom layer: they import nothing of onair but the pure protocol lib',
    sameFolderAllowed: true,
  },
  {
    // domain/ types may say which domain error they raise (a client's offer keeps its 400).
    files: /^apps\/api\/src\/domain\/.*(?<!\.spec)\.ts$/,
    forbid: /^apps\/(?!api\/src\/errors\/)|^@onair\/(?!protocol$)/,
    because: 'domain/ sits on the bottom layer: it imports nothing of onair but errors/ and the pure protocol lib',
    sameFolderAllowed: true,
  },
  {
    files: /^apps\/api\/src\/(live|channels|ice|probes|accounts|turn)\/.*(?<!\.spec)\.ts$/,
    forbid: below('whip', 'whep', 'studio'),
    because: 'live/, channels/, ice/, probes/, accounts/ and turn/ sit below the WHIP, WHEP and studio slices',
  },
  {
    files: /^apps\/api\/src\/live\/.*(?<!\.spec)\.ts$/,
    forbid: below('channels', 'accounts', 'probes', 'http', 'health'),
    because: 'live/ (registry, events, broadcast rows) sits below channels/, accounts/ and probes/',
  },
  {
    files: /^apps\/api\/src\/media\/.*(?<!\.spec)\.ts$/,
    forbid: below('whip', 'whep', 'studio', 'channels', 'accounts', 'live', 'probes', 'ice', 'http', 'database', 'health'),
    because: 'the media port and its adapter know nothing of onair above them',
  },
  {
    files: /^apps\/api\/src\/http\/.*(?<!\.spec)\.ts$/,
    forbid: below('whip', 'whep', 'studio', 'channels', 'accounts', 'live', 'probes', 'ice', 'health'),
    because: 'http/ holds edge helpers (body parsing, problem+json, rate limits) that every slice uses; it uses none',
  },
  {
    files: /^apps\/api\/src\/whip\/.*(?<!\.spec)\.ts$/,
    forbid: below('whep', 'studio'),
    because: 'WHIP and WHEP are separate rooms; the studio is above both',
  },
  {
    files: /^apps\/api\/src\/whep\/.*(?<!\.spec)\.ts$/,
    forbid: below('whip', 'studio'),
    because: 'WHIP and WHEP are separate rooms; the studio is above both',
  },
];

/** Where an import points: a path from the repository root (no extension) or a bare specifier. */
function target(fromFile, specifier) {
  if (!specifier.startsWith('.')) return specifier;
  const abs = path.resolve(path.dirname(fromFile), specifier);
  return path.relative(root, abs).split(path.sep).join('/').replace(/\.(m|c)?[jt]sx?$/, '');
}

const boundaries = {
  meta: { type: 'problem', schema: [], docs: { description: 'onair layer boundaries (see the zones in eslint.config.mjs)' } },
  create(context) {
    const file = path.relative(root, context.filename).split(path.sep).join('/');
    const mine = zones.filter((z) => z.files.test(file) && !z.except?.test(file));
    if (mine.length === 0) return {};
    const folder = path.posix.dirname(file) + '/';
    const check = (node, source) => {
      if (typeof source !== 'string') return;
      const to = target(context.filename, source);
      for (const z of mine) {
        if (z.sameFolderAllowed && to.startsWith(folder)) continue;
        if (z.forbid.test(to)) context.report({ node, message: `'${source}': ${z.because}.` });
      }
    };
    const literal = (n) => (n?.type === 'Literal' ? n.value : undefined);
    return {
      ImportDeclaration: (n) => check(n, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n, n.source.value),
      ExportAllDeclaration: (n) => check(n, n.source.value),
      ImportExpression: (n) => check(n, literal(n.source)),
      TSImportEqualsDeclaration: (n) => n.moduleReference.type === 'TSExternalModuleReference' && check(n, literal(n.moduleReference.expression)),
      CallExpression: (n) => n.callee.type === 'Identifier' && n.callee.name === 'require' && check(n, literal(n.arguments[0])),
    };
  },
};

/** An eslint-disable comment says why, after " -- " (eslint's own description syntax). */
const disableReasons = {
  meta: { type: 'suggestion', schema: [], docs: { description: 'eslint-disable comments carry a reason' } },
  create(context) {
    return {
      Program() {
        for (const c of context.sourceCode.getAllComments()) {
          if (/^\s*eslint-disable/.test(c.value) && !/\s--\s+\S/.test(c.value)) {
            context.report({ loc: c.loc, message: 'say why this rule is off here, after " -- "' });
          }
        }
      },
    };
  },
};

// ---------------------------------------------------------------------------------------

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.next/**',
      '**/next-env.d.ts',
      'apps/api/src/generated/**',
      'test-output/**',
      '.nx/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // Each file is checked with the tsconfig nearest to it (apps/api/test has its own).
        projectService: true,
        tsconfigRootDir: root,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { onair: { rules: { boundaries, 'disable-reasons': disableReasons } } },
    rules: {
      'onair/boundaries': 'error',
      'onair/disable-reasons': 'error',
      // The async bugs: a promise nobody awaits loses its rejection (an unhandled rejection
      // kills the process); a promise handed to something that expects void runs unchecked.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // An AbortSignal's reason is whatever the caller aborted with: passing it on is fine.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      '@typescript-eslint/only-throw-error': 'error',
      // TypeScript already reports undefined names, and understands overloads and declaration merging.
      'no-undef': 'off',
      'no-redeclare': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // Style or noise here: untyped JSON from Janus and HTTP bodies is parsed once and
      // checked (zod, typed parsers); the unsafe-* family would flag every such boundary and
      // every jest matcher. Template literals of numbers and unions are how messages are written.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // A `let` assigned once but read by a closure made before the assignment stays a `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // janode ships no types and Janus messages are parsed where they arrive; `any` there is
      // the honest type, and the unsafe-* rules above are off anyway.
      '@typescript-eslint/no-explicit-any': 'off',
      // A `!` or `as` the checker finds redundant is harmless; fixing them is churn.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/no-empty-function': 'off',
    },
  },
  {
    // All of apps/api in one program: test/tsconfig.json covers src, test and bench (the
    // nearest-tsconfig lookup would build three programs, and bench has none of its own),
    // which made the API's lint three times slower.
    files: ['apps/api/**/*.ts'],
    languageOptions: { parserOptions: { projectService: false, project: 'apps/api/test/tsconfig.json' } },
  },
  {
    // In the API process an unhandled rejection ends the process (Node's default): a promise
    // started and not awaited needs a .catch that logs, and `void` doesn't count as handling.
    // (The browser code of the test harness runs in Chromium, where it only logs.)
    files: ['apps/api/src/**/*.ts'],
    rules: { '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }] },
  },
  {
    // Config is read and validated once at start-up (config/onair-config.ts, from main.ts and the
    // command line); everything else receives the typed OnairConfig.
    files: ['apps/api/src/**/*.ts'],
    ignores: ['apps/api/src/main.ts', 'apps/api/src/cli/main.ts', 'apps/api/src/config/**', 'apps/api/src/**/*.spec.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'settings come from OnairConfig (config/onair-config.ts), validated once at start-up' }],
    },
  },
  {
    // Specs: jest's expect(promise).rejects is awaited by the test; `expect(x.method)` is not a call.
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/*.bench-spec.ts', 'apps/api/test/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['apps/web/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks, '@next/next': nextPlugin },
    rules: {
      ...nextPlugin.configs['core-web-vitals'].rules,
      // For the pages/ router; the web app has app/ only.
      '@next/next/no-html-link-for-pages': 'off',
      // React ignores what an event handler returns, and the studio's async handlers catch
      // their own errors to show them in the form; promises passed anywhere else still count.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      // FormData.get gives string | File; the forms here have text fields only.
      '@typescript-eslint/no-base-to-string': ['error', { ignoredTypeNames: ['Error', 'RegExp', 'URL', 'URLSearchParams', 'File'] }],
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    // Plain JavaScript (jest configs, the web server): no type information, Node globals.
    files: ['**/*.{js,mjs,cjs}'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node, sourceType: 'module' },
  },
  {
    files: ['**/*.{js,cjs}'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
