// `npm run lint -w @handoff/api` refuses an import against the layer table, an import cycle, and a folder
// the table does not list: the API's real lint config, run on a few files written into src/ for the test.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ESLint } from 'eslint';
import { REPO_ROOT } from '../scripts/services.mjs';

const API = join(REPO_ROOT, 'apps/api');
const { LAYERS, assertAcyclic } = await import(new URL('apps/api/eslint.boundaries.mjs', `file://${REPO_ROOT}/`).href);
const tag = `layers-fixture-${process.pid}`;
const files = {
  // config is the bottom layer: it may not import a domain.
  upward: `src/config/${tag}-upward.ts`,
  // Two files of one folder importing each other: allowed by the table, refused as a cycle.
  cycleA: `src/tasks/${tag}-a.ts`,
  cycleB: `src/tasks/${tag}-b.ts`,
  // A folder the table does not list.
  unlisted: `src/${tag}/thing.ts`,
  // A domain reaching up into the composition root.
  entry: `src/tasks/${tag}-entry.ts`,
  // An entity is schema: it imports other entities only.
  entity: `src/users/${tag}.entity.ts`,
  // What the table allows, for contrast: a domain importing infrastructure and another folder's repository.
  allowed: `src/billing/${tag}-allowed.ts`,
};
const sources = {
  upward: `import { TasksService } from '../tasks/tasks.service.js';\nexport const upward = TasksService;\n`,
  cycleA: `import { b } from './${tag}-b.js';\nexport const a = (): number => b() + 1;\n`,
  cycleB: `import { a } from './${tag}-a.js';\nexport const b = (): number => (a.length ? 0 : 1);\n`,
  unlisted: `export const thing = 1;\n`,
  entry: `import { AppModule } from '../app.module.js';\nexport const entry = AppModule;\n`,
  entity: `import { User } from './user.entity.js';\nimport { StateConflict } from '../common/http/errors.js';\nexport const entity = [User, StateConflict];\n`,
  allowed: `import { APP_CONFIG } from '../config/config.js';\nimport { UnitOfWork } from '../events/unit-of-work.js';\nimport { TasksRepository } from '../tasks/tasks.repository.js';\nexport const allowed = [APP_CONFIG, UnitOfWork, TasksRepository];\n`,
};

let results;
before(async () => {
  mkdirSync(join(API, `src/${tag}`), { recursive: true });
  for (const [name, path] of Object.entries(files)) writeFileSync(join(API, path), sources[name]);
  const eslint = new ESLint({ cwd: API });
  results = new Map((await eslint.lintFiles(Object.values(files))).map((r) => [r.filePath, r.messages]));
});

after(() => {
  for (const path of Object.values(files)) rmSync(join(API, path), { force: true });
  rmSync(join(API, `src/${tag}`), { recursive: true, force: true });
});

const errors = (name, ruleId) => (results.get(join(API, files[name])) ?? []).filter((m) => m.severity === 2 && m.ruleId === ruleId);

test('an upward import fails the lint, naming both folders', () => {
  const found = errors('upward', 'boundaries/dependencies');
  assert.equal(found.length, 1, JSON.stringify(results.get(join(API, files.upward))));
  assert.match(found[0].message, /"config" to elements of type "tasks"/);
});

test('an import cycle fails the lint, on both files', () => {
  assert.equal(errors('cycleA', 'import-x/no-cycle').length, 1);
  assert.equal(errors('cycleB', 'import-x/no-cycle').length, 1);
  assert.deepEqual(errors('cycleA', 'boundaries/dependencies'), []);
});

test('a domain importing an entry point fails the lint', () => {
  assert.equal(errors('entry', 'boundaries/dependencies').length, 1);
});

test('an entity may import entities, nothing else of ours', () => {
  const found = errors('entity', 'boundaries/dependencies');
  assert.equal(found.length, 1);
  assert.equal(found[0].line, 2);
});

test('a folder missing from the layer table fails the lint', () => {
  assert.equal(errors('unlisted', 'boundaries/no-unknown-files').length, 1);
});

test('what the table allows lints clean', () => {
  assert.deepEqual(results.get(join(API, files.allowed)).filter((m) => m.severity === 2), []);
});

test('the layer table itself has no cycle, and one with a cycle is refused', () => {
  assert.doesNotThrow(() => assertAcyclic(LAYERS));
  assert.throws(() => assertAcyclic({ ...LAYERS, config: ['tasks'] }), /cycle: .*config → tasks/);
});
