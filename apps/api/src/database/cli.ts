import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config/config.js';
import { createDataSource } from './data-source.js';
import { ensureDatabase } from './ensure-database.js';
import { DEMO_ASSISTANTS, DEMO_ORGANIZATIONS, DEMO_PASSWORD, seedDemo, seedEssentials } from './seed.js';

// `node dist/database/cli.js migrate|seed|setup`: runs outside Nest so a
// deployment can migrate once before any new instance serves.
async function main(command: string | undefined): Promise<void> {
  const config = loadConfig();
  if (command === 'migrate' || command === 'setup') {
    if (await ensureDatabase(config.databaseUrl)) console.log(`created database ${new URL(config.databaseUrl).pathname.slice(1)}`);
  }
  const ds = createDataSource(config);
  await ds.initialize();
  try {
    switch (command ?? '') {
      case 'migrate':
      case 'setup': {
        const ran = await ds.runMigrations({ transaction: 'each' });
        console.log(ran.length ? `applied ${ran.length} migration(s): ${ran.map((m) => m.name).join(', ')}` : 'schema is up to date');
        await seedEssentials(ds, config);
        if (command === 'setup') {
          await seedDemo(ds);
          printLogins(config.admin);
        }
        break;
      }
      case 'seed':
        await seedEssentials(ds, config);
        await seedDemo(ds);
        printLogins(config.admin);
        break;
      case 'revert':
        await ds.undoLastMigration({ transaction: 'each' });
        break;
      default:
        throw new Error(`unknown command "${command ?? ''}": use migrate, seed, setup or revert`);
    }
  } finally {
    await ds.destroy();
  }
}

function printLogins(admin: { email: string; password: string }): void {
  const rows = [
    ['admin', admin.email, admin.password],
    ...DEMO_ORGANIZATIONS.map((o) => [`client (${o.name})`, o.client.email, DEMO_PASSWORD]),
    ...DEMO_ASSISTANTS.map((a) => [`assistant (${a.skills.join(', ')})`, a.email, DEMO_PASSWORD]),
  ];
  const width = Math.max(...rows.map((r) => r[1]!.length));
  console.log('\nDemo logins:');
  for (const [who, email, pw] of rows) console.log(`  ${email!.padEnd(width)}  ${pw}   ${who}`);
  console.log('');
}

main(process.argv[2]).catch((e: unknown) => {
  if (e instanceof ConfigError) console.error(e.message);
  else console.error(e);
  process.exit(1);
});
