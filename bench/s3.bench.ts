// S3 throughput: 1 KiB PUT+GET with SigV4 and policy evaluation over 32 connections, and a 1 GiB object
// streamed up (signed aws-chunked) and down, with the server's memory watched. The server runs in its own
// process over a real data directory, wired as `irsakit up` wires it (src/aws's endpoint, a role session whose
// IAM policies are evaluated on every request); this process is the client: it signs every request itself
// (signRequest) and speaks HTTP/1.1 over raw keep-alive sockets, since an SDK client would be the bottleneck.
// The peer, s3rver (no IAM), is measured with the same client in the same run, from a temp directory.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatAmzDate, type SigningCredentials, signingKey, signRequest } from '../src/aws/index.js';
import { ADMIN, REGION } from '../test/s3/helpers/server.js';

const SMALL_TARGET = 4000;
const LARGE_TARGET_MBS = 300;
const LARGE_BYTES = 1024 * 1024 * 1024;
const CONNECTIONS = 32;
const DURATION_MS = 8000;
const CHUNK = 1024 * 1024;
/** s3rver's fixed key pair, and how long it may take to start (npx may download it first). */
const S3RVER_CREDS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const S3RVER_START_MS = 120_000;

/** One keep-alive HTTP/1.1 connection, one request at a time; only the status and body length are parsed. */
class Connection {
  private buf: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (status: number) => void; reject: (e: Error) => void } | null = null;
  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      this.parse();
    });
    const fail = (e: Error) => {
      const w = this.waiting;
      this.waiting = null;
      w?.reject(e);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }
  static open(port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new Connection(s)));
      s.once('error', reject);
    });
  }
  request(head: string, body?: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      if (body) this.socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
      else this.socket.write(head, 'latin1');
    });
  }
  private parse(): void {
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0 || !this.waiting) return;
    const head = this.buf.toString('latin1', 0, end);
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let total: number;
    if (length) total = end + 4 + Number(length[1]);
    else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const last = this.buf.indexOf('0\r\n\r\n', end + 4);
      if (last < 0) return;
      total = last + 5;
    } else total = end + 4;
    if (this.buf.length < total) return;
    this.buf = this.buf.subarray(total);
    const w = this.waiting;
    this.waiting = null;
    w.resolve(status);
  }
  close(): void {
    this.socket.destroy();
  }
}

/** The request head, signed with SigV4 (header form) for S3. */
function signedHead(
  method: string,
  path: string,
  port: number,
  credentials: SigningCredentials,
  payloadHash: string,
  extra: Record<string, string> = {},
): string {
  const { headers } = signRequest({
    method,
    url: path,
    headers: { host: `127.0.0.1:${port}`, 'x-amz-content-sha256': payloadHash, ...extra },
    credentials,
    region: REGION,
    service: 's3',
    now: Date.now(),
    payloadHash,
  });
  let head = `${method} ${path} HTTP/1.1\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  return `${head}\r\n`;
}

/** 1 KiB PUT then GET of the same key, in a loop on each of CONNECTIONS connections, for DURATION_MS. */
async function smallObjects(
  port: number,
  credentials: SigningCredentials,
): Promise<{ rate: number; ops: number; errors: number }> {
  const body = Buffer.alloc(1024, 1);
  const bodyHash = createHash('sha256').update(body).digest('hex');
  const emptyHash = createHash('sha256').update('').digest('hex');
  const conns = await Promise.all(Array.from({ length: CONNECTIONS }, () => Connection.open(port)));
  let ops = 0;
  let errors = 0;
  const start = Date.now();
  const end = start + DURATION_MS;
  try {
    await Promise.all(
      conns.map(async (c, w) => {
        for (let i = 0; Date.now() < end; i++) {
          const path = `/bench/small/${w}/${i % 100}`;
          const put = signedHead('PUT', path, port, credentials, bodyHash, { 'content-length': '1024' });
          if ((await c.request(put, body)) !== 200) errors++;
          if ((await c.request(signedHead('GET', path, port, credentials, emptyHash))) !== 200) errors++;
          ops += 2;
        }
      }),
    );
  } finally {
    for (const c of conns) c.close();
  }
  return { rate: ops / ((Date.now() - start) / 1000), ops, errors };
}

/** Stops the running peer, if any (also called when the whole run is out of time). */
let stopPeer: (() => void) | null = null;

/** s3rver (npx, from a temp directory outside the repo, on 127.0.0.1), for as long as `fn` runs. */
async function withS3rver<T>(fn: (port: number) => Promise<T>): Promise<T> {
  const home = mkdtempSync(join(tmpdir(), 'irsakit-s3rver-'));
  const proc = spawn(
    'npx',
    [
      '--yes',
      's3rver@3',
      '-d',
      join(home, 'data'),
      '-a',
      '127.0.0.1',
      '-p',
      '0',
      '--configure-bucket',
      'bench',
    ],
    { cwd: home, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stop = () => {
    try {
      process.kill(-proc.pid!, 'SIGKILL'); // npx and the s3rver it started
    } catch {}
  };
  stopPeer = stop;
  const deadline = setTimeout(stop, S3RVER_START_MS + DURATION_MS + 30_000);
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('s3rver did not start in time')), S3RVER_START_MS);
      proc.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on [^\s:]+:(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      proc.stderr!.resume();
      proc.once('exit', (code) => reject(new Error(`s3rver exited (${code})`)));
    });
    return await fn(port);
  } finally {
    clearTimeout(deadline);
    stop();
    rmSync(home, { recursive: true, force: true });
  }
}

const dir = mkdtempSync(join(tmpdir(), 'irsakit-bench-'));
const child: ChildProcess = spawn(
  process.execPath,
  ['--import', 'tsx', join(import.meta.dirname, '../test/s3/fixtures/bench-server.ts'), join(dir, 'data')],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
// Bounded: whatever happens, the run ends (and takes its server with it) within five minutes.
setTimeout(() => {
  console.error('s3 bench: out of time');
  stopPeer?.();
  child.kill('SIGKILL');
  process.exit(2);
}, 300_000).unref();
const ready = await new Promise<{ port: number; credentials: SigningCredentials }>((r) =>
  child.stdout!.once('data', (d: Buffer) => r(JSON.parse(d.toString().trim()))),
);
const { port } = ready;
const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });

function call(method: string, path: string) {
  const hash = createHash('sha256').update('').digest('hex');
  const headers = signRequest({
    method,
    url: path,
    headers: { host: `127.0.0.1:${port}`, 'x-amz-content-sha256': hash },
    credentials: ADMIN,
    region: REGION,
    service: 's3',
    now: Date.now(),
    payloadHash: hash,
  }).headers;
  return new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** CPU seconds (user + system) a process has used: /proc/<pid>/stat fields 14 and 15, in clock ticks. */
function cpuOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

try {
  if ((await call('PUT', '/bench')) !== 200) throw new Error('CreateBucket failed');
  // 1. Small objects, irsakit then s3rver.
  const cpu0 = cpuOf(child.pid!);
  const client0 = process.cpuUsage();
  const mine = await smallObjects(port, ready.credentials);
  const serverCpu = cpuOf(child.pid!) - cpu0;
  const clientUsage = process.cpuUsage(client0);
  console.log(
    `s3 1KiB PUT+GET, 32 connections, SigV4 + IAM policy evaluation: ${mine.rate.toFixed(0)} ops/s (target: >= ${SMALL_TARGET} ops/s)${mine.errors ? ` errors=${mine.errors}` : ''}`,
  );
  // On a shared machine the rate depends on the CPU the processes got; CPU per operation does not.
  const opsDone = mine.ops;
  console.log(
    `s3 1KiB PUT+GET CPU per operation: server ${((serverCpu * 1e6) / opsDone).toFixed(0)} µs, client ${((clientUsage.user + clientUsage.system) / opsDone).toFixed(0)} µs (target: server <= ${(1e6 / SMALL_TARGET).toFixed(0)} µs, one core's worth at ${SMALL_TARGET} ops/s)`,
  );
  try {
    const peer = await withS3rver((p) => smallObjects(p, S3RVER_CREDS));
    console.log(
      `s3 peer s3rver@3 (no IAM), same load: ${peer.rate.toFixed(0)} ops/s${peer.errors ? ` errors=${peer.errors}` : ''}; irsakit/s3rver ratio: ${(mine.rate / peer.rate).toFixed(2)}`,
    );
  } catch (err) {
    console.log(`s3 peer s3rver@3: not measured (${(err as Error).message})`);
  }

  // 2. One large object, signed with STREAMING-AWS4-HMAC-SHA256-PAYLOAD.
  const rssBase = rssOf(child.pid!);
  let rssPeak = rssBase;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, rssOf(child.pid!));
  }, 50);
  const path = '/bench/large.bin';
  const now = Date.now();
  const mode = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
  const chunks = LARGE_BYTES / CHUNK;
  const headerLen = (n: number) => `${n.toString(16)};chunk-signature=`.length + 64 + 2;
  const encodedLength = chunks * (headerLen(CHUNK) + CHUNK + 2) + headerLen(0) + 2;
  const headers = signRequest({
    method: 'PUT',
    url: path,
    headers: {
      host: `127.0.0.1:${port}`,
      'x-amz-content-sha256': mode,
      'x-amz-decoded-content-length': String(LARGE_BYTES),
      'content-encoding': 'aws-chunked',
      'content-length': String(encodedLength),
    },
    credentials: ready.credentials,
    region: REGION,
    service: 's3',
    now,
    payloadHash: mode,
  }).headers;
  const amzDate = formatAmzDate(now);
  const scope = `${amzDate.slice(0, 8)}/${REGION}/s3/aws4_request`;
  const key = signingKey(ready.credentials.secretAccessKey, amzDate.slice(0, 8), REGION, 's3');
  const emptyHash = createHash('sha256').update('').digest('hex');
  const payload = Buffer.alloc(CHUNK, 0x42);
  const payloadHash = createHash('sha256').update(payload).digest('hex');
  let prev = /Signature=([0-9a-f]{64})/.exec(headers.authorization!)![1]!;
  const sign = (hash: string) => {
    prev = createHmac('sha256', key)
      .update(['AWS4-HMAC-SHA256-PAYLOAD', amzDate, scope, prev, emptyHash, hash].join('\n'))
      .digest('hex');
    return prev;
  };
  const upCpu0 = cpuOf(child.pid!);
  const upStart = Date.now();
  await new Promise<void>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'PUT', path, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`PUT ${res.statusCode}`))));
    });
    req.on('error', reject);
    let i = 0;
    const pump = () => {
      while (i < chunks) {
        i++;
        // Every chunk carries the same bytes, so its hash is computed once; its signature chains as S3 requires.
        req.write(`${CHUNK.toString(16)};chunk-signature=${sign(payloadHash)}\r\n`);
        req.write(payload);
        if (!req.write('\r\n')) return void req.once('drain', pump);
      }
      req.end(`0;chunk-signature=${sign(emptyHash)}\r\n\r\n`);
    };
    pump();
  });
  const upSecs = (Date.now() - upStart) / 1000;
  const upCpu = cpuOf(child.pid!) - upCpu0;
  const downCpu0 = cpuOf(child.pid!);
  const downStart = Date.now();
  let got = 0;
  await new Promise<void>((resolve, reject) => {
    const h = signRequest({
      method: 'GET',
      url: path,
      headers: { host: `127.0.0.1:${port}`, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      credentials: ready.credentials,
      region: REGION,
      service: 's3',
      now: Date.now(),
      payloadHash: 'UNSIGNED-PAYLOAD',
    }).headers;
    request({ host: '127.0.0.1', port, path, headers: h, agent }, (res) => {
      res.on('data', (c: Buffer) => {
        got += c.length;
      });
      res.on('end', resolve);
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
  const downSecs = (Date.now() - downStart) / 1000;
  const downCpu = cpuOf(child.pid!) - downCpu0;
  clearInterval(sampler);
  if (got !== LARGE_BYTES) throw new Error(`GET returned ${got} bytes`);
  const mb = LARGE_BYTES / 1e6;
  console.log(`s3 1GiB signed PUT: ${(mb / upSecs).toFixed(0)} MB/s (target: >= ${LARGE_TARGET_MBS} MB/s)`);
  console.log(`s3 1GiB GET: ${(mb / downSecs).toFixed(0)} MB/s (target: >= ${LARGE_TARGET_MBS} MB/s)`);
  // As for small objects: what one core of server CPU would carry, independent of what the machine gave.
  console.log(
    `s3 1GiB server CPU: PUT ${upCpu.toFixed(1)} s (${(mb / upCpu).toFixed(0)} MB per CPU-second), GET ${downCpu.toFixed(1)} s (${(mb / downCpu).toFixed(0)} MB per CPU-second) (target: >= ${LARGE_TARGET_MBS} MB per CPU-second)`,
  );
  console.log(
    `s3 server RSS growth during 1GiB transfer: ${((rssPeak - rssBase) / 1048576).toFixed(0)} MiB (target: flat, far below 1024 MiB)`,
  );
} finally {
  agent.destroy();
  child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
