import { randomBytes } from 'node:crypto';

export type Random = (n: number) => Buffer;

export const defaultRandom: Random = (n) => randomBytes(n);

// IAM unique ids are a 4-letter prefix naming the kind (AROA role, ANPA managed policy, AIPA instance
// profile) followed by 17 characters of base32 (A–Z, 2–7): 21 characters, as in AROA2AVYNEVMZEZ2AFVYI.
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function uniqueId(prefix: 'AROA' | 'ANPA' | 'AIPA', random: Random): string {
  const bytes = random(17);
  let out = prefix;
  for (let i = 0; i < 17; i++) out += BASE32[(bytes[i] ?? 0) % 32];
  return out;
}

/** A short revision tag for a stored document, so compiled policies are cached by (id, rev). */
export function revision(random: Random): string {
  return random(6).toString('hex');
}
