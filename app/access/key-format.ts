import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

// API keys look like `fsk_3k9x7q2a_<43 characters>`: a visible prefix that names the key in
// lists and logs, and a secret of 256 random bits. Only SHA-256 of the secret is stored. A
// slow password hash would buy nothing: nobody can guess 256 random bits, fast or slow.

/** What a key looks like; FAILSIGHT_ADMIN_KEY is checked against it at start-up. */
export const KEY_PATTERN = /^fsk_([a-z0-9]{8})_([A-Za-z0-9_-]{43})$/;

export type NewKey = { key: string; prefix: string; secretHash: string };

export function generateKey(): NewKey {
  const prefix = randomBytes(6).toString("base64url").toLowerCase().replace(/[^a-z0-9]/g, "").padEnd(8, "0").slice(0, 8);
  const secret = randomBytes(32).toString("base64url");
  return { key: `fsk_${prefix}_${secret}`, prefix, secretHash: hashSecret(secret) };
}

export function parseKey(key: string): { prefix: string; secret: string } | undefined {
  const match = KEY_PATTERN.exec(key.trim());
  return match ? { prefix: match[1]!, secret: match[2]! } : undefined;
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** Compares in constant time, so response timing tells nothing about the stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}
