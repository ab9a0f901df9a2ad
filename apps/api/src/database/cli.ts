import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config/config.js';
import { runCommand } from './commands.js';

// `node dist/database/cli.js migrate|setup|demo|seed|revert` (see commands.ts): runs outside
// Nest so a deployment can migrate once before any new instance serves.
async function main(): Promise<void> {
  await runCommand(process.argv[2], loadConfig());
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError) console.error(e.message);
  else console.error(e);
  process.exit(1);
});
