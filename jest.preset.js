// Shared jest settings: TypeScript through SWC (decorator metadata on, for NestJS),
// workspace libs resolved to their sources so tests never depend on a stale build.
const path = require('node:path');

/** @returns {import('jest').Config} */
module.exports = function preset(overrides = {}) {
  return {
    testEnvironment: 'node',
    transform: {
      '^.+\\.(t|j)sx?$': [
        '@swc/jest',
        {
          jsc: {
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true },
            target: 'es2022',
          },
          module: { type: 'commonjs' },
        },
      ],
    },
    // janode ships ES modules only; let SWC turn it into CommonJS for jest.
    transformIgnorePatterns: ['/node_modules/(?!(janode)/)'],
    moduleNameMapper: {
      '^@onair/(api-types|protocol|whep-client)$': path.join(__dirname, 'libs/$1/src/index.ts'),
      // SDP fixtures shaped after real peers, for specs only.
      '^@onair/protocol/testing$': path.join(__dirname, 'libs/protocol/src/testing/fixtures.ts'),
    },
    ...overrides,
  };
};
