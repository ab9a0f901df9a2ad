import 'reflect-metadata';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config/config.js';
import { createDataSource } from '../../src/database/data-source.js';
import { MIGRATIONS } from '../../src/database/migrations/index.js';
import { DEFAULT_RATE_CARD, seedEssentials } from '../../src/database/seed.js';
import { STARTER_TEMPLATES } from '../../src/templates/starter-templates.js';
import { databaseUrl, withAdminClient } from './db.js';

// A class's text is its source, so editing a migration (not only adding one) rebuilds the template.
const fingerprint = createHash('sha256')
  .update(JSON.stringify([MIGRATIONS.map((m) => `${m.name}:${m.toString()}`), DEFAULT_RATE_CARD, STARTER_TEMPLATES, seedEssentials.toString()]))
  .digest('hex')
  .slice(0, 16);

// Named by the fingerprint, so checkouts with different migrations (two branches tested at once)
// each copy their own template instead of rebuilding one under the other.
const TEMPLATE_DB = `handoff_test_tpl_${fingerprint}`;

let ready: Promise<string> | undefined;

/**
 * Migrate once into a template database that every test file copies, and
 * answer its name. An advisory lock keeps parallel workers from racing.
 */
export function ensureTemplate(): Promise<string> {
  ready ??= withAdminClient(async (c) => {
    await c.query(`SELECT pg_advisory_lock(hashtext($1))`, [TEMPLATE_DB]);
    try {
      const { rows } = await c.query<{ comment: string | null }>(
        `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
        [TEMPLATE_DB],
      );
      if (rows[0]?.comment === fingerprint) return TEMPLATE_DB;
      await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(TEMPLATE_DB)} WITH (FORCE)`);
      await c.query(`CREATE DATABASE ${pg.escapeIdentifier(TEMPLATE_DB)}`);
      const config = loadConfig({ DATABASE_URL: databaseUrl(TEMPLATE_DB), DATABASE_POOL_SIZE: '1', JWT_SECRET: randomBytes(32).toString('hex') });
      const ds = createDataSource(config);
      await ds.initialize();
      try {
        await ds.runMigrations({ transaction: 'each' });
        await seedEssentials(ds, config);
      } finally {
        await ds.destroy();
      }
      await c.query(`COMMENT ON DATABASE ${pg.escapeIdentifier(TEMPLATE_DB)} IS '${fingerprint}'`);
      return TEMPLATE_DB;
    } finally {
      await c.query(`SELECT pg_advisory_unlock(hashtext($1))`, [TEMPLATE_DB]);
    }
  });
  return ready;
}
