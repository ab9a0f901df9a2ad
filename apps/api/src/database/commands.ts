import type { AppConfig } from '../config/config.js';
import { createDataSource } from './data-source.js';
import { seedDemoWork } from './demo-work.js';
import { ensureDatabase } from './ensure-database.js';
import { DEMO_ASSISTANTS, DEMO_ORGANIZATIONS, DEMO_PASSWORD, seedDemo, seedEssentials } from './seed.js';

export const COMMANDS = ['migrate', 'setup', 'demo', 'seed', 'revert'] as const;
export type Command = (typeof COMMANDS)[number];

/**
 * What `cli.js <command>` does:
 * - `migrate`: create the database if missing, run the migrations, seed the admin and the rate card;
 * - `setup`: that, and the demo people (what the browser tests and the bench start from);
 * - `demo`: that, and the demo's work, once (`npm start`);
 * - `seed`: the admin, the rate card and the demo people into a migrated database;
 * - `revert`: undo the last migration.
 */
export async function runCommand(command: string | undefined, config: AppConfig, log: (line: string) => void = console.log): Promise<void> {
  if (!COMMANDS.includes(command as Command)) throw new Error(`unknown command "${command ?? ''}": use ${COMMANDS.join(', ')}`);
  const migrating = command === 'migrate' || command === 'setup' || command === 'demo';
  if (migrating && (await ensureDatabase(config.databaseUrl))) log(`created database ${new URL(config.databaseUrl).pathname.slice(1)}`);
  const ds = createDataSource(config);
  await ds.initialize();
  try {
    if (command === 'revert') {
      await ds.undoLastMigration({ transaction: 'each' });
      return;
    }
    if (migrating) {
      const ran = await ds.runMigrations({ transaction: 'each' });
      log(ran.length ? `applied ${ran.length} migration(s): ${ran.map((m) => m.name).join(', ')}` : 'schema is up to date');
    }
    await seedEssentials(ds, config);
    if (command === 'migrate') return;
    await seedDemo(ds);
    if (command === 'demo') {
      const work = await seedDemoWork(ds, config);
      log(work ? `seeded the demo's work: ${work.tasks} tasks, ${work.ledgerEntries} ledger entries` : "the demo's work is already there; nothing added");
    }
    printLogins(config.admin, log);
  } finally {
    await ds.destroy();
  }
}

function printLogins(admin: { email: string; password: string }, log: (line: string) => void): void {
  const rows = [
    ['admin', admin.email, admin.password],
    ...DEMO_ORGANIZATIONS.map((o) => [`client (${o.name})`, o.client.email, DEMO_PASSWORD]),
    ...DEMO_ASSISTANTS.map((a) => [`assistant (${a.skills.join(', ')})`, a.email, DEMO_PASSWORD]),
  ];
  const width = Math.max(...rows.map((r) => r[1]!.length));
  log('\nDemo logins:');
  for (const [who, email, pw] of rows) log(`  ${email!.padEnd(width)}  ${pw}   ${who}`);
  log('');
}
