// Nest 12 ships as ES modules, so Jest runs in its native ESM mode
// (--experimental-vm-modules, see package.json) and swc keeps our code as ESM.
const swcEsm = ['@swc/jest', { swcrc: true }];
// CommonJS packages that require() an ESM-only dependency work on Node 20.19+
// (require(esm)) but not inside Jest's module system, so those few
// dependencies are compiled to CommonJS for the tests.
const ESM_ONLY_REQUIRED_FROM_CJS = ['content-disposition'];
const swcCjs = ['@swc/jest', { swcrc: false, module: { type: 'commonjs' }, jsc: { target: 'es2022' } }];

/** @type {import('jest').Config} */
export default {
  rootDir: '.',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    [`/node_modules/(${ESM_ONLY_REQUIRED_FROM_CJS.join('|')})/.+\\.js$`]: swcCjs,
    '^.+\\.ts$': swcEsm,
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY_REQUIRED_FROM_CJS.join('|')})/)`],
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
