// Unit specs (src/**/*.spec.ts) run anywhere; HTTP specs (test/**/*.http-spec.ts) need the
// test Postgres, end-to-end specs (test/**/*.e2e-spec.ts) a real Janus, Postgres and Chromium:
// both run inside onair's test network namespace (infra/scripts/test.sh sets it up).
const preset = require('../../jest.preset.js');
module.exports = {
  // End-to-end specs share ports and one Janus per file: run files one at a time.
  maxWorkers: 1,
  testTimeout: 120000,
  projects: [
    preset({ displayName: 'api', rootDir: __dirname, testMatch: ['<rootDir>/src/**/*.spec.ts'] }),
    preset({
      displayName: 'api-e2e',
      rootDir: __dirname,
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
    }),
    // Controllers over HTTP with the fake media server and the test Postgres (no Janus).
    preset({ displayName: 'api-http', rootDir: __dirname, testMatch: ['<rootDir>/test/**/*.http-spec.ts'] }),
    // `npm run bench` only: figures, not assertions.
    preset({ displayName: 'api-bench', rootDir: __dirname, testMatch: ['<rootDir>/bench/**/*.bench-spec.ts'], testTimeout: 600000 }),
  ],
};
