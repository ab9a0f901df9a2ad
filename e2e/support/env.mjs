// Plain ES module (not TypeScript): Jest loads the global setup outside its
// ESM transform, and the setup, the teardown and the tests all share this.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = resolve(E2E_ROOT, '..');
export const ARTIFACTS_DIR = resolve(E2E_ROOT, 'artifacts');

export const API_MAIN = resolve(REPO_ROOT, 'apps/api/dist/main.js');
export const API_CLI = resolve(REPO_ROOT, 'apps/api/dist/database/cli.js');
export const WEB_INDEX = resolve(REPO_ROOT, 'apps/web/dist/index.html');

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/handoff';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Set by the global setup for the test files (they run in the same process: --runInBand). */
export const BASE_URL_VAR = 'HANDOFF_E2E_BASE_URL';

/**
 * What one run created, kept by the setup for the teardown.
 * @typedef {{ databaseUrl: string, databaseName: string, redisUrl: string, redisPrefix: string, baseUrl: string }} RunState
 */
