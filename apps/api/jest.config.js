// Nest 12 ships as ES modules, so Jest runs in its native ESM mode
// (--experimental-vm-modules, see package.json) and swc keeps our code as ESM.
// (Every dependency that CommonJS code require()s is CommonJS itself: the package.json overrides
// pin versions for Node 20, which Jest's module system, lacking require(esm), also needs.)
const swcEsm = ['@swc/jest', { swcrc: true }];

/** @type {import('jest').Config} */
export default {
  rootDir: '.',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': swcEsm,
    '/node_modules/@nestjs/throttler/.+\\.js$': '<rootDir>/jest.require-esm.cjs',
  },
  transformIgnorePatterns: ['/node_modules/(?!@nestjs/throttler/)'],
  setupFiles: ['<rootDir>/test/support/require-esm-setup.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  // A limit that catches a hang, not a loaded machine: `npm test` runs this beside other work on two cores,
  // and a test that takes a second when the machine is quiet can take ten when it is not.
  testTimeout: 120_000,
  maxWorkers: 2,
  // An ioredis client pointed at a closed port (the Redis-down tests) keeps a
  // timer alive after disconnect(); without this the run would hang at the end.
  forceExit: true,
};
