// Which folder of src/ may import which: the table in docs/ARCHITECTURE.md ("Layers"), checked on every lint.
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import boundaries from 'eslint-plugin-boundaries';
import { importX } from 'eslint-plugin-import-x';

/** Infrastructure, bottom up: each may import only the folders listed beside it. */
const INFRA = {
  config: [],
  database: ['config'],
  redis: ['config'],
  events: ['config', 'database', 'redis'],
  common: ['config', 'database', 'redis', 'events'],
};

/** Domain folders: each may import every infrastructure folder and the domains listed beside it. A new folder is one line here. */
const DOMAINS = {
  audit: [],
  files: ['tasks'],
  health: [],
  secrets: [],
  billing: [],
  'rate-card': ['audit'],
  users: ['audit'],
  budgets: [],
  'budget-notices': ['budgets', 'realtime'],
  tasks: ['budgets', 'organizations', 'qualifications', 'rate-card', 'templates'],
  notifications: ['dispatch', 'tasks', 'users'],
  realtime: ['billing', 'tasks'],
  dispatch: ['realtime', 'tasks'],
  scheduling: ['dispatch'],
  maintenance: ['auth', 'scheduling'],
  auth: ['audit', 'notifications', 'secrets', 'users'],
  timers: ['dispatch', 'notifications', 'scheduling', 'tasks'],
  webhooks: ['dispatch', 'secrets', 'tasks'],
  workers: ['dispatch', 'imports', 'maintenance', 'notifications', 'realtime', 'scheduling', 'tasks', 'timers', 'webhooks'],
  admin: ['audit', 'dispatch'],
  'admin-jobs': [],
  organizations: ['budgets'],
  templates: ['budgets', 'organizations', 'rate-card'],
  conversations: ['files', 'realtime', 'tasks'],
  quality: ['realtime', 'tasks'],
  inbox: ['billing', 'conversations', 'dispatch', 'notifications', 'qualifications', 'realtime', 'tasks', 'users'],
  process: ['billing', 'organizations', 'tasks', 'templates'],
  imports: ['billing', 'dispatch', 'organizations', 'realtime', 'tasks', 'templates'],
  schedules: ['organizations', 'realtime', 'scheduling', 'tasks', 'templates', 'users'],
  qualifications: ['audit', 'users'],
  disputes: ['audit', 'billing', 'realtime', 'tasks'],
};

/** Folder → the folders it may import (itself aside). */
export const LAYERS = {
  ...INFRA,
  ...Object.fromEntries(Object.entries(DOMAINS).map(([name, uses]) => [name, [...Object.keys(INFRA), ...uses]])),
};

/** A table with a loop in it would allow the cycle it is meant to refuse: refuse the table instead. */
export function assertAcyclic(layers) {
  const state = new Map();
  const visit = (name, path) => {
    if (!(name in layers)) throw new Error(`eslint.boundaries.mjs: ${path.at(-1)} lists unknown folder ${name}`);
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'open') throw new Error(`eslint.boundaries.mjs: the layer table has a cycle: ${[...path, name].join(' → ')}`);
    state.set(name, 'open');
    for (const next of layers[name]) visit(next, [...path, name]);
    state.set(name, 'done');
  };
  for (const name of Object.keys(layers)) visit(name, []);
}
assertAcyclic(LAYERS);

const project = `${import.meta.dirname}/tsconfig.json`;

export default [
  {
    files: ['src/**/*.ts'],
    // Specs may reach anywhere (one checks every controller of the app); nothing imports them.
    ignores: ['src/**/*.spec.ts'],
    plugins: { boundaries, 'import-x': importX },
    settings: {
      // The `.js` specifiers resolve to the `.ts` sources, for boundaries (through eslint-module-utils) and for import-x.
      'import/resolver': { typescript: { project } },
      'import-x/extensions': ['.ts'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project })],
      // Patterns are relative to this folder, whichever directory eslint runs from.
      'boundaries/root-path': import.meta.dirname,
      'boundaries/include': ['src/**/*.ts'],
      'boundaries/elements': Object.keys(LAYERS).map((name) => ({ type: name, pattern: `src/${name}` })),
      'boundaries/files': [
        // Entry points compose the whole graph: the app's modules and main, and the database CLI (migrate, seed, demo).
        { category: 'entry', pattern: ['src/*.ts', 'src/database/{cli,commands,seed,demo-work}.ts'] },
        // Entities are the schema: database/entities.ts lists every folder's, and any folder may read them.
        { category: 'entity', pattern: 'src/**/*.entity.ts' },
        // A table's repository is its one door: any folder may use it (database/repositories.ts provides them all).
        { category: 'repository', pattern: 'src/**/*.repository.ts' },
      ],
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: [
            ...Object.entries(LAYERS).map(([name, uses]) => ({
              from: { element: { type: name } },
              allow: { to: { element: { types: { anyOf: [name, ...uses] } } } },
            })),
            { from: { file: { categories: 'entity' } }, disallow: { to: { element: { type: '*' } } } },
            { allow: { to: { file: { categories: { anyOf: ['entity', 'repository'] } } } } },
            { from: { file: { categories: 'entry' } }, allow: { to: { element: { type: '*' } } } },
            { from: { file: { categories: 'entry' } }, allow: { to: { file: { categories: '*' } } } },
          ],
        },
      ],
      // A file in a folder the table does not list fails, so a new folder gets its line.
      'boundaries/no-unknown-files': 'error',
      'boundaries/no-unknown-dependencies': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
];
