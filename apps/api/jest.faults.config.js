// `npm run test:faults`: the fault suite. It kills and restarts the processes
// and the Redis it starts itself, against the BUILT api (dist/main.js), so it
// runs apart from the e2e suite, one file at a time: the kills are timed and a
// second file competing for two cores would blur them.
import base from './jest.config.js';

/** @type {import('jest').Config} */
export default {
  ...base,
  testMatch: ['<rootDir>/test/faults/*.fault-spec.ts'],
  testTimeout: 120_000,
  maxWorkers: 1,
};
