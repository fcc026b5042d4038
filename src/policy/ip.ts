/**
 * IPv4 and IPv6 addresses and CIDR blocks for IpAddress/NotIpAddress (RFC 4632, RFC 4291). An IPv4 block never
 * contains an IPv6 address and the reverse; a bare address is a /32 (or /128).
 */
export interface Ip {
  v6: boolean;
  /** IPv4 as an unsigned 32-bit number; IPv6 as a 128-bit bigint. */
  n: number | bigint;
}

export interface Cidr extends Ip {
  bits: number;
}

export function parseIp(s: string): Ip | undefined {
  if (s.includes(':')) {
    const n = parseV6(s);
    return n === undefined ? undefined : { v6: true, n };
  }
  const n = parseV4(s);
  return n === undefined ? undefined : { v6: false, n };
}

export function parseCidr(s: string): Cidr | undefined {
  const t = s.trim();
  const slash = t.indexOf('/');
  const ip = parseIp(slash < 0 ? t : t.slice(0, slash));
  if (!ip) return undefined;
  const max = ip.v6 ? 128 : 32;
  let bits = max;
  if (slash >= 0) {
    const b = t.slice(slash + 1);
    if (!/^\d{1,3}$/.test(b)) return undefined;
    bits = Number(b);
    if (bits > max) return undefined;
  }
  return { ...ip, bits };
}

export function ipInCidr(ip: Ip, c: Cidr): boolean {
  if (ip.v6 !== c.v6) return false;
  if (c.bits === 0) return true;
  if (!ip.v6) {
    const shift = 32 - c.bits;
    // >>> keeps the arithmetic unsigned; a shift of 32 is handled by bits === 0 above.
    return (ip.n as number) >>> shift === (c.n as number) >>> shift;
  }
  const shift = BigInt(128 - c.bits);
  return (ip.n as bigint) >> shift === (c.n as bigint) >> shift;
}

function parseV4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

function parseV6(s: string): bigint | undefined {
  let text = s;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  let tail: number[] = [];
  // An embedded IPv4 tail (::ffff:10.0.0.1) stands for the last two groups.
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseV4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [Math.floor(v4 / 65536), v4 % 65536];
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const back = halves.length === 2 ? (halves[1] === '' ? [] : halves[1]!.split(':')) : [];
  const groupsGiven = head.length + back.length;
  if (halves.length === 1 && groupsGiven !== 8) return undefined;
  if (halves.length === 2 && groupsGiven > 7) return undefined;
  const groups = [...head, ...new Array<string>(8 - groupsGiven).fill('0'), ...back];
  let n = 0n;
  for (let i = 0; i < 8; i++) {
    const g = groups[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(Number.parseInt(g, 16));
  }
  if (tail.length === 2) n = (n & ~0xffffffffn) | (BigInt(tail[0]!) << 16n) | BigInt(tail[1]!);
  return n;
}
