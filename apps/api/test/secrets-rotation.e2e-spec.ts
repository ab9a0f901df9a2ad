// Key rotation against a real PostgreSQL table: keyset paging, compare-and-set writes, two runs at once.
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { SecretKey } from '../src/config/secrets-keys.js';
import { secretAad, SecretsCipher } from '../src/secrets/crypto/secrets-cipher.js';
import { rotateSecretKeys, type SealedChange, type SealedValue, type SealedValueSource } from '../src/secrets/rotate-keys.js';
import { databaseUrl, dropDatabase, withAdminClient } from './support/db.js';

const ROWS = 600;
const FIELDS = ['login', 'apiKey'] as const;

interface Row {
  id: string;
  task_id: string;
  field: string;
  value: string;
}

/** What a repository would hand the rotation: pages by id, replaces only values still as read. */
class TableSource implements SealedValueSource<string> {
  /** Runs between reading a page and writing its changes: another writer at work. */
  meanwhile?: (page: readonly SealedValue<string>[]) => Promise<void>;

  constructor(private readonly db: pg.Pool) {}

  async page(after: string | null, limit: number, currentKeyId: string): Promise<SealedValue<string>[]> {
    // Skips values already under the current key (the hint the rotation passes); the key id is the envelope's second part.
    const { rows } = await this.db.query<Row>(
      // Ordered by the bigint column the cursor compares, not the text it is selected as.
      `SELECT t.id::text AS id, t.task_id::text, t.field, t.value FROM task_secrets t
        WHERE ($1::bigint IS NULL OR t.id > $1::bigint) AND split_part(t.value, '.', 2) <> $3
        ORDER BY t.id LIMIT $2`,
      [after, limit, currentKeyId],
    );
    const page = rows.map((r) => ({ id: r.id, envelope: r.value, aad: secretAad('task', r.task_id, r.field) }));
    await this.meanwhile?.(page);
    return page;
  }

  async replace(changes: readonly SealedChange<string>[]): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(
      `UPDATE task_secrets t SET value = c.to_value
         FROM unnest($1::bigint[], $2::text[], $3::text[]) AS c(id, from_value, to_value)
        WHERE t.id = c.id AND t.value = c.from_value
        RETURNING t.id::text`,
      [changes.map((c) => c.id), changes.map((c) => c.from), changes.map((c) => c.to)],
    );
    return rows.map((r) => r.id);
  }
}

describe('rotateSecretKeys on PostgreSQL', () => {
  const name = `handoff_t_secrets_${randomBytes(5).toString('hex')}`;
  let db: pg.Pool;
  const k0 = new SecretKey('k0', randomBytes(32));
  const k1 = new SecretKey('k1', randomBytes(32));
  const k2 = new SecretKey('k2', randomBytes(32));
  const before = new SecretsCipher([k1]);
  const after = new SecretsCipher([k2, k1]);

  beforeAll(async () => {
    await withAdminClient((c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
    db = new pg.Pool({ connectionString: databaseUrl(name), max: 4 });
    db.on('error', () => undefined);
  });

  afterAll(async () => {
    await db?.end();
    await dropDatabase(name);
  });

  /** A fresh table of ROWS tasks × FIELDS, each value sealed with k1 for its own task and field. */
  async function seed(): Promise<Map<string, string>> {
    await db.query('DROP TABLE IF EXISTS task_secrets');
    await db.query('CREATE TABLE task_secrets (id bigserial PRIMARY KEY, task_id uuid NOT NULL, field text NOT NULL, value text NOT NULL, UNIQUE (task_id, field))');
    const plain = new Map<string, string>();
    const taskIds: string[] = [];
    const fields: string[] = [];
    const values: string[] = [];
    for (let i = 0; i < ROWS; i++) {
      const taskId = randomUUID();
      for (const field of FIELDS) {
        const secret = `${field}-${i}-${randomBytes(4).toString('hex')}`;
        plain.set(`${taskId}/${field}`, secret);
        taskIds.push(taskId);
        fields.push(field);
        values.push(before.encrypt(secret, secretAad('task', taskId, field)));
      }
    }
    await db.query('INSERT INTO task_secrets (task_id, field, value) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])', [taskIds, fields, values]);
    return plain;
  }

  async function rows(): Promise<Row[]> {
    return (await db.query<Row>('SELECT t.id::text AS id, t.task_id::text, t.field, t.value FROM task_secrets t ORDER BY t.id')).rows;
  }

  /** Every value opens with k2 alone, to the plain text it was sealed from. */
  async function expectAllUnderK2(plain: Map<string, string>, except: Set<string> = new Set()): Promise<void> {
    const k2Only = new SecretsCipher([k2]);
    for (const r of await rows()) {
      if (except.has(r.id)) continue;
      expect(k2Only.decrypt(r.value, secretAad('task', r.task_id, r.field)).reveal()).toBe(plain.get(`${r.task_id}/${r.field}`));
    }
  }

  it('re-seals every value with k2 in batches; k1 can then be dropped', async () => {
    const plain = await seed();
    const report = await rotateSecretKeys(after, new TableSource(db), { batchSize: 50 });
    expect(report).toMatchObject({ scanned: ROWS * 2, rotated: ROWS * 2, unreadable: 0, changedMeanwhile: 0, byKey: { k1: ROWS * 2 } });
    await expectAllUnderK2(plain);
    // Nothing left to do.
    expect(await rotateSecretKeys(after, new TableSource(db))).toMatchObject({ scanned: 0, rotated: 0 });
  });

  it('reports values under a removed key or moved to another row, and leaves them in the table', async () => {
    const plain = await seed();
    const [first, second, third] = await rows();
    const orphan = new SecretsCipher([k0]).encrypt('sealed with a key since removed', secretAad('task', first!.task_id, first!.field));
    await db.query('UPDATE task_secrets SET value = $2 WHERE id = $1', [first!.id, orphan]);
    // A ciphertext copied from one row to another does not open there, so it is not rotated either.
    await db.query('UPDATE task_secrets SET value = $2 WHERE id = $1', [third!.id, second!.value]);
    const report = await rotateSecretKeys(after, new TableSource(db), { batchSize: 64 });
    expect(report).toMatchObject({ scanned: ROWS * 2, rotated: ROWS * 2 - 2, unreadable: 2 });
    expect(report.problems).toEqual([
      expect.objectContaining({ id: first!.id, reason: 'unknown-key', keyId: 'k0' }),
      expect.objectContaining({ id: third!.id, reason: 'rejected', keyId: 'k1' }),
    ]);
    const now = new Map((await rows()).map((r) => [r.id, r.value]));
    expect(now.get(first!.id)).toBe(orphan);
    expect(now.get(third!.id)).toBe(second!.value);
    await expectAllUnderK2(plain, new Set([first!.id, third!.id]));
  });

  it('keeps a value written by someone else between the read and the write', async () => {
    const plain = await seed();
    const source = new TableSource(db);
    const edited = new Set<string>();
    source.meanwhile = async (page) => {
      // The application saves a new secret for the first value of each page, sealed with the current key.
      const target = page[0];
      if (!target) return;
      const row = (await db.query<Row>('SELECT task_id::text, field FROM task_secrets WHERE id = $1', [target.id])).rows[0]!;
      const secret = `edited-${target.id}`;
      plain.set(`${row.task_id}/${row.field}`, secret);
      await db.query('UPDATE task_secrets SET value = $2 WHERE id = $1', [target.id, after.encrypt(secret, secretAad('task', row.task_id, row.field))]);
      edited.add(target.id);
    };
    const report = await rotateSecretKeys(after, source, { batchSize: 100 });
    expect(report.changedMeanwhile).toBe(edited.size);
    expect(report.rotated).toBe(ROWS * 2 - edited.size);
    await expectAllUnderK2(plain);
  });

  it('lets two runs go at once: each value is replaced exactly once and all end under k2', async () => {
    const plain = await seed();
    const [a, b] = await Promise.all([
      rotateSecretKeys(after, new TableSource(db), { batchSize: 40 }),
      rotateSecretKeys(after, new TableSource(db), { batchSize: 40 }),
    ]);
    expect(a!.rotated + b!.rotated).toBe(ROWS * 2);
    expect(a!.unreadable + b!.unreadable).toBe(0);
    await expectAllUnderK2(plain);
  });
});
