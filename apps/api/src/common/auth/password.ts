import argon2 from 'argon2';

// OWASP's argon2id baseline (19 MiB, 2 passes); the hash records its own
// parameters, so raising them later still verifies old hashes.
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(plain: string): Promise<string> {
  return argon2.hash(plain, OPTIONS);
}

export async function verifyPassword(hash: string, plain: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, plain);
  } catch {
    return false;
  }
}

// Verifying against a fixed hash when the e-mail is unknown keeps login time
// the same for known and unknown accounts.
let dummy: Promise<string> | undefined;
export async function burnPasswordCheck(plain: string): Promise<void> {
  dummy ??= hashPassword('handoff-timing-equalizer');
  await verifyPassword(await dummy, plain);
}
