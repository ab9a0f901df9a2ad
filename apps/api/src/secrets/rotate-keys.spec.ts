import { randomBytes } from 'node:crypto';
import { SecretKey } from '../config/secrets-keys.js';
import { secretAad, SecretsCipher } from './crypto/secrets-cipher.js';
import { rotateSecretKeys, type SealedChange, type SealedValue, type SealedValueSource } from './rotate-keys.js';

const key = (id: string) => new SecretKey(id, randomBytes(32));
const aadOf = (id: number) => secretAad('task', String(id), 'apiKey');

/** Rows in memory, paged by id like a keyset query, replaced only where they still hold what was read. */
class MemorySource implements SealedValueSource<number> {
  readonly rows = new Map<number, string>();
  pages = 0;
  /** Runs after a page is read and before its changes are stored: another writer at work. */
  meanwhile?: (page: readonly SealedValue<number>[]) => void;

  async page(after: number | null, limit: number): Promise<SealedValue<number>[]> {
    this.pages++;
    const ids = [...this.rows.keys()].sort((a, b) => a - b).filter((id) => after === null || id > after);
    const page = ids.slice(0, limit).map((id) => ({ id, envelope: this.rows.get(id)!, aad: aadOf(id) }));
    this.meanwhile?.(page);
    return page;
  }

  async replace(changes: readonly SealedChange<number>[]): Promise<number[]> {
    const done: number[] = [];
    for (const c of changes) {
      if (this.rows.get(c.id) !== c.from) continue;
      this.rows.set(c.id, c.to);
      done.push(c.id);
    }
    return done;
  }
}

describe('rotateSecretKeys', () => {
  const k1 = key('k1');
  const k2 = key('k2');
  const before = new SecretsCipher([k1]);
  const after = new SecretsCipher([k2, k1]);

  function seed(count: number, cipher = before): MemorySource {
    const source = new MemorySource();
    for (let id = 1; id <= count; id++) source.rows.set(id, cipher.encrypt(`secret-${id}`, aadOf(id)));
    return source;
  }

  it('re-seals every k1 value with k2 across batches, and each still opens to its plain text', async () => {
    const source = seed(23);
    const sut = await rotateSecretKeys(after, source, { batchSize: 5 });
    expect(sut).toMatchObject({ currentKeyId: 'k2', scanned: 23, rotated: 23, alreadyCurrent: 0, unreadable: 0, changedMeanwhile: 0, byKey: { k1: 23 }, problems: [] });
    expect(source.pages).toBe(5);
    const k2Only = new SecretsCipher([k2]);
    for (const [id, envelope] of source.rows) {
      expect(k2Only.keyIdOf(envelope)).toBe('k2');
      expect(k2Only.decrypt(envelope, aadOf(id)).reveal()).toBe(`secret-${id}`);
    }
  });

  it('leaves values already under the current key alone, so a second run changes nothing', async () => {
    const source = seed(7);
    await rotateSecretKeys(after, source, { batchSize: 3 });
    const snapshot = new Map(source.rows);
    const again = await rotateSecretKeys(after, source, { batchSize: 3 });
    expect(again).toMatchObject({ scanned: 7, rotated: 0, alreadyCurrent: 7, byKey: { k2: 7 } });
    expect(source.rows).toEqual(snapshot);
  });

  it('reports a value under a removed key, with its id and key, and leaves it as it was', async () => {
    const source = seed(4);
    const k0 = new SecretsCipher([key('k0')]);
    const orphan = k0.encrypt('from an old key', aadOf(3));
    source.rows.set(3, orphan);
    const sut = await rotateSecretKeys(after, source, { batchSize: 2 });
    expect(sut).toMatchObject({ scanned: 4, rotated: 3, unreadable: 1, byKey: { k1: 3, k0: 1 } });
    expect(sut.problems).toEqual([{ id: 3, reason: 'unknown-key', keyId: 'k0', message: expect.stringMatching(/key "k0"/) }]);
    expect(source.rows.get(3)).toBe(orphan);
  });

  it('reports a value that does not authenticate (altered, or moved from another row) and a malformed one', async () => {
    const source = seed(3);
    source.rows.set(2, source.rows.get(1)!); // row 1's ciphertext copied into row 2
    source.rows.set(3, 'plain text that was never sealed');
    const sut = await rotateSecretKeys(after, source);
    expect(sut.rotated).toBe(1);
    expect(sut.problems.map((p) => [p.id, p.reason])).toEqual([
      [2, 'rejected'],
      [3, 'malformed'],
    ]);
    expect(source.rows.get(3)).toBe('plain text that was never sealed');
  });

  it('keeps a value edited between the read and the write, and counts it', async () => {
    const source = seed(6);
    const edited = after.encrypt('edited meanwhile', aadOf(4));
    source.meanwhile = (page) => {
      if (page.some((v) => v.id === 4)) source.rows.set(4, edited);
    };
    const sut = await rotateSecretKeys(after, source, { batchSize: 4 });
    expect(sut).toMatchObject({ scanned: 6, rotated: 5, changedMeanwhile: 1 });
    expect(source.rows.get(4)).toBe(edited);
  });

  it('counts without writing in a dry run', async () => {
    const source = seed(5);
    const snapshot = new Map(source.rows);
    const sut = await rotateSecretKeys(after, source, { dryRun: true, batchSize: 2 });
    expect(sut).toMatchObject({ dryRun: true, scanned: 5, rotated: 5, byKey: { k1: 5 } });
    expect(source.rows).toEqual(snapshot);
  });

  it('lists at most maxProblems problems while counting all of them', async () => {
    const source = seed(0, before);
    for (let id = 1; id <= 10; id++) source.rows.set(id, 'garbage');
    const sut = await rotateSecretKeys(after, source, { maxProblems: 3 });
    expect(sut.unreadable).toBe(10);
    expect(sut.problems).toHaveLength(3);
  });

  it('reports progress after each batch', async () => {
    const source = seed(5);
    const seen: number[] = [];
    await rotateSecretKeys(after, source, { batchSize: 2, onBatch: (r) => seen.push(r.scanned) });
    expect(seen).toEqual([2, 4, 5]);
  });

  it('stops on a source that hands back the same page again instead of looping', async () => {
    const source = seed(4);
    const stuck: SealedValueSource<number> = { page: (_after, limit) => source.page(null, limit), replace: (c) => source.replace(c) };
    await expect(rotateSecretKeys(after, stuck, { batchSize: 2 })).rejects.toThrow(/same page/);
  });

  it('ends on an empty source', async () => {
    expect(await rotateSecretKeys(after, new MemorySource())).toMatchObject({ scanned: 0, rotated: 0 });
  });
});
