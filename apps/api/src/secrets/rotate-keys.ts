import { SecretDecryptError, type SecretDecryptReason, type SecretsCipher } from './crypto/secrets-cipher.js';

/** One sealed value as stored: its id (a row, or a row and field), the envelope, and the AAD it was sealed for. */
export interface SealedValue<Id> {
  id: Id;
  envelope: string;
  aad: string;
}

export interface SealedChange<Id> {
  id: Id;
  from: string;
  to: string;
}

/** Where the values live. The rotation knows nothing of tables; a repository supplies these two callbacks. */
export interface SealedValueSource<Id> {
  /**
   * Up to `limit` values after `after` (null: from the start) in the source's own stable order; fewer than
   * `limit` means the end. `currentKeyId` lets a source skip values already under it (optional).
   */
  page(after: Id | null, limit: number, currentKeyId: string): Promise<readonly SealedValue<Id>[]>;
  /**
   * Store each `to` only where the value still is `from` (compare-and-set, so an edit made meanwhile is
   * kept) and answer the ids replaced.
   */
  replace(changes: readonly SealedChange<Id>[]): Promise<readonly Id[]>;
}

export interface RotationProblem<Id> {
  id: Id;
  reason: SecretDecryptReason;
  keyId?: string;
  message: string;
}

export interface RotationReport<Id> {
  currentKeyId: string;
  dryRun: boolean;
  /** Values read. */
  scanned: number;
  alreadyCurrent: number;
  /** Re-sealed with the current key (in a dry run: would have been). */
  rotated: number;
  /** Re-sealed, but the value changed before it could be stored; the newer value was kept. */
  changedMeanwhile: number;
  /** Left as they were because they could not be opened; see problems. */
  unreadable: number;
  /** Values found under each key id, before rotating. */
  byKey: Record<string, number>;
  /** The first `maxProblems` unreadable values, so an operator can find them. */
  problems: RotationProblem<Id>[];
}

export interface RotationOptions<Id> {
  batchSize?: number;
  /** Count what would change without writing. */
  dryRun?: boolean;
  maxProblems?: number;
  /** After each batch, with the totals so far (for a progress line). */
  onBatch?: (report: Readonly<RotationReport<Id>>) => void;
}

/**
 * Re-seal every value not under the current key, batch by batch. A value that cannot be opened (its key
 * was removed from SECRETS_KEYS, or it was altered) is counted and listed, never dropped or overwritten.
 * Safe to run again, and beside the API: only values still holding what was read are replaced.
 */
export async function rotateSecretKeys<Id>(cipher: SecretsCipher, source: SealedValueSource<Id>, opts: RotationOptions<Id> = {}): Promise<RotationReport<Id>> {
  const batchSize = opts.batchSize ?? 500;
  const maxProblems = opts.maxProblems ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('rotateSecretKeys: batchSize must be a positive integer');
  const report: RotationReport<Id> = {
    currentKeyId: cipher.currentKeyId,
    dryRun: opts.dryRun ?? false,
    scanned: 0,
    alreadyCurrent: 0,
    rotated: 0,
    changedMeanwhile: 0,
    unreadable: 0,
    byKey: {},
    problems: [],
  };
  let after: Id | null = null;
  for (;;) {
    const values = await source.page(after, batchSize, cipher.currentKeyId);
    if (values.length > batchSize) throw new Error(`rotateSecretKeys: the source returned ${values.length} values for a page of ${batchSize}`);
    const changes: SealedChange<Id>[] = [];
    for (const value of values) {
      report.scanned++;
      const outcome = reseal(cipher, value);
      if (outcome.keyId !== undefined) report.byKey[outcome.keyId] = (report.byKey[outcome.keyId] ?? 0) + 1;
      if (outcome.kind === 'current') report.alreadyCurrent++;
      else if (outcome.kind === 'changed') changes.push({ id: value.id, from: value.envelope, to: outcome.to });
      else {
        report.unreadable++;
        if (report.problems.length < maxProblems) report.problems.push({ id: value.id, reason: outcome.error.reason, keyId: outcome.error.keyId, message: outcome.error.message });
      }
    }
    if (changes.length && !report.dryRun) {
      const replaced = (await source.replace(changes)).length;
      report.rotated += replaced;
      report.changedMeanwhile += changes.length - replaced;
    } else if (report.dryRun) report.rotated += changes.length;
    opts.onBatch?.(report);
    const last = values.at(-1);
    if (values.length < batchSize || last === undefined) return report;
    // A source that hands back the same cursor would loop for ever.
    if (last.id === after) throw new Error('rotateSecretKeys: the source returned the same page twice');
    after = last.id;
  }
}

type Outcome = { kind: 'current'; keyId: string } | { kind: 'changed'; keyId: string; to: string } | { kind: 'unreadable'; keyId?: string; error: SecretDecryptError };

function reseal<Id>(cipher: SecretsCipher, value: SealedValue<Id>): Outcome {
  try {
    const keyId = cipher.keyIdOf(value.envelope);
    if (!cipher.needsRotation(value.envelope)) return { kind: 'current', keyId };
    return { kind: 'changed', keyId, to: cipher.rotate(value.envelope, value.aad) };
  } catch (e) {
    if (!(e instanceof SecretDecryptError)) throw e;
    return { kind: 'unreadable', keyId: e.keyId, error: e };
  }
}
