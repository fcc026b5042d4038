import { createHash, type Hash } from 'node:crypto';
import { crc32, crc32c } from './crc.js';

/** S3's flexible-checksum algorithms and their header names (x-amz-checksum-crc32, …). */
export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export function checksumHeader(alg: ChecksumAlgorithm): string {
  return `x-amz-checksum-${alg.toLowerCase()}`;
}

export function parseChecksumAlgorithm(value: string): ChecksumAlgorithm | undefined {
  const up = value.toUpperCase();
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(up) ? (up as ChecksumAlgorithm) : undefined;
}

/** An incremental digest producing S3's base64 form (CRCs as 4 big-endian bytes). */
export interface Digest {
  update(buf: Uint8Array): void;
  digest(): Buffer;
}

class CrcDigest implements Digest {
  private value = 0;
  constructor(private readonly fn: (crc: number, buf: Uint8Array) => number) {}
  update(buf: Uint8Array): void {
    this.value = this.fn(this.value, buf);
  }
  digest(): Buffer {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(this.value >>> 0);
    return out;
  }
}

class HashDigest implements Digest {
  private readonly hash: Hash;
  constructor(alg: string) {
    this.hash = createHash(alg);
  }
  update(buf: Uint8Array): void {
    this.hash.update(buf);
  }
  digest(): Buffer {
    return this.hash.digest();
  }
}

export function newDigest(alg: ChecksumAlgorithm | 'MD5'): Digest {
  switch (alg) {
    case 'CRC32':
      return new CrcDigest(crc32);
    case 'CRC32C':
      return new CrcDigest(crc32c);
    case 'SHA1':
      return new HashDigest('sha1');
    case 'SHA256':
      return new HashDigest('sha256');
    case 'MD5':
      return new HashDigest('md5');
  }
}

/** Byte length of each algorithm's digest, to validate the base64 values clients send. */
export const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, SHA1: 20, SHA256: 32 };
