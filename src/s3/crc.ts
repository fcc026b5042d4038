import * as zlib from 'node:zlib';

/**
 * Table-driven CRCs for S3's flexible checksums (slicing-by-8: eight 256-entry tables, eight bytes per step).
 * CRC32 is the ISO-HDLC polynomial (0xEDB88320 reflected), CRC32C the Castagnoli one (0x82F63B78 reflected),
 * both reflected with init and xorout 0xFFFFFFFF, as S3 and RFC 3720 define them.
 */
function tables(poly: number): Uint32Array[] {
  const t: Uint32Array[] = [];
  const t0 = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t0[i] = c >>> 0;
  }
  t.push(t0);
  for (let s = 1; s < 8; s++) {
    const prev = t[s - 1]!;
    const cur = new Uint32Array(256);
    for (let i = 0; i < 256; i++) cur[i] = ((prev[i]! >>> 8) ^ t0[prev[i]! & 0xff]!) >>> 0;
    t.push(cur);
  }
  return t;
}

function makeUpdate(poly: number): (crc: number, buf: Uint8Array) => number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = tables(poly) as [
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
  ];
  // `crc` is the finalised value of the data so far (0 for none), like zlib.crc32's second argument.
  return (crc, buf) => {
    let c = ~crc >>> 0;
    let i = 0;
    const n = buf.length;
    const end8 = n - (n % 8);
    while (i < end8) {
      const a = (c ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24))) >>> 0;
      c =
        t7[a & 0xff]! ^
        t6[(a >>> 8) & 0xff]! ^
        t5[(a >>> 16) & 0xff]! ^
        t4[a >>> 24]! ^
        t3[buf[i + 4]!]! ^
        t2[buf[i + 5]!]! ^
        t1[buf[i + 6]!]! ^
        t0[buf[i + 7]!]!;
      i += 8;
    }
    while (i < n) c = t0[(c ^ buf[i++]!) & 0xff]! ^ (c >>> 8);
    return ~c >>> 0;
  };
}

/** CRC32C (Castagnoli) of `buf`, continuing from `crc` (the CRC of the preceding bytes, 0 at the start). */
export const crc32c: (crc: number, buf: Uint8Array) => number = makeUpdate(0x82f63b78);

const crc32Table = makeUpdate(0xedb88320);
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC32 (ISO-HDLC) of `buf`, continuing from `crc`. Uses zlib's when Node has it (20.15+), else the table. */
export const crc32: (crc: number, buf: Uint8Array) => number = nativeCrc32
  ? (crc, buf) => nativeCrc32(buf, crc)
  : crc32Table;
/** The table-driven CRC32, exported so tests can compare it with zlib's. */
export const crc32Portable = crc32Table;
