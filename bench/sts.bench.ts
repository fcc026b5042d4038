/**
 * STS throughput over HTTP keep-alive on 127.0.0.1, 32 connections, ~5 s per run:
 * - AssumeRoleWithWebIdentity with full validation (provider, audience, RS256 signature with the cached JWKS,
 *   times, trust policy through src/policy, credentials sealed with AES-256-GCM), target ≥ 5,000/s, p99 < 15 ms;
 *   peer: a bare Node HTTP server doing one RS256 verification (jose) per request, measured in the same run;
 * - GetCallerIdentity signed with SigV4 by a session (token decrypted, signature verified), target ≥ 8,000/s;
 *   requests pre-signed in a batch with a date inside the 15-minute window.
 * Servers run alone in child processes; autocannon runs here.
 *
 *   node --import tsx bench/sts.bench.ts            run and print figures
 *   node --import tsx bench/sts.bench.ts --serve X  (internal) serve X = sts | peer, print READY <json>
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { compactVerify, importJWK } from 'jose';
import { signRequest } from '../src/aws/index.js';
import { ACCOUNT, createIrsaRole, startAws, startIssuer } from '../test/sts/helpers.js';
import { failures, type LoadResult, load, startServer, stopServers } from './lib/load.js';

const TARGET_AWI_RPS = 5_000;
const TARGET_AWI_P99_MS = 15;
const TARGET_GCI_RPS = 8_000;
const DURATION_S = 5;
const CONNECTIONS = 32;

interface BenchRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

interface Ready {
  port: number;
  awi: BenchRequest[];
  gci: BenchRequest[];
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function awiBody(token: string, i: number): string {
  return new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: `arn:aws:iam::${ACCOUNT}:role/app-role`,
    RoleSessionName: `bench-${i}`,
    WebIdentityToken: token,
  }).toString();
}

async function serve(kind: string): Promise<void> {
  const issuer = await startIssuer();
  const tokens = await Promise.all(Array.from({ length: 16 }, () => issuer.token()));
  let ready: Ready;
  if (kind === 'sts') {
    const aws = await startAws({ caPems: [issuer.caPem] });
    await createIrsaRole(aws, issuer);
    const port = (aws.server.address() as AddressInfo).port;
    const session = aws.credentials.issueSessionCredentials({
      role: aws.iam.getRole(ACCOUNT, 'app-role')!,
      sessionName: 'bench',
      durationSeconds: 3600,
    });
    const now = Date.now();
    const body = 'Action=GetCallerIdentity&Version=2011-06-15';
    const gci = Array.from({ length: 64 }, (_, i) => {
      const s = signRequest({
        method: 'POST',
        url: '/',
        headers: { host: `127.0.0.1:${port}`, ...FORM },
        body,
        credentials: session,
        region: 'eu-west-1',
        service: 'sts',
        now: now - i * 1000,
      });
      const { host: _h, ...headers } = s.headers;
      return { method: 'POST', path: '/', headers, body };
    });
    const awi = tokens.map((t, i) => ({ method: 'POST', path: '/', headers: FORM, body: awiBody(t, i) }));
    ready = { port, awi, gci };
  } else {
    // The peer: parse the form, verify one RS256 JWT with a cached key, answer a fixed XML body.
    const key = await importJWK(issuer.rsa.publicJwk, 'RS256');
    const fixed = '<AssumeRoleWithWebIdentityResponse/>';
    const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const token = new URLSearchParams(Buffer.concat(chunks).toString()).get('WebIdentityToken') ?? '';
        try {
          await compactVerify(token, key, { algorithms: ['RS256'] });
          res.writeHead(200, { 'content-type': 'text/xml', 'content-length': fixed.length });
          res.end(fixed);
        } catch {
          res.writeHead(400);
          res.end();
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    ready = {
      port,
      awi: tokens.map((t, i) => ({ method: 'POST', path: '/', headers: FORM, body: awiBody(t, i) })),
      gci: [],
    };
  }
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => process.exit(0));
  process.stdout.write(`READY ${JSON.stringify(ready)}\n`);
}

const startChild = (kind: string) =>
  startServer(
    fileURLToPath(import.meta.url),
    kind,
    /READY (.*)\n/,
    (m) => JSON.parse(m[1] as string) as Ready,
  );
const run1 = (port: number, requests: BenchRequest[], duration = DURATION_S) =>
  load(`http://127.0.0.1:${port}`, requests, { connections: CONNECTIONS, duration });

async function run(): Promise<void> {
  const sts = await startChild('sts');
  const peer = await startChild('peer');
  const best: Record<string, LoadResult> = {};
  const keep = (k: string, r: LoadResult) => {
    if (!best[k] || r.rps > (best[k] as LoadResult).rps) best[k] = r;
  };
  try {
    await run1(sts.ready.port, sts.ready.awi, 1); // JIT warm-up
    await run1(sts.ready.port, sts.ready.gci, 1);
    await run1(peer.ready.port, peer.ready.awi, 1);
    // Two alternating rounds, best of each: other work on a shared machine then hurts both sides alike.
    for (let round = 0; round < 2; round++) {
      keep('awi', await run1(sts.ready.port, sts.ready.awi));
      keep('peer', await run1(peer.ready.port, peer.ready.awi));
    }
    keep('gci', await run1(sts.ready.port, sts.ready.gci));
  } finally {
    stopServers([sts, peer]);
  }
  const a = best.awi!;
  const p = best.peer!;
  const g = best.gci!;
  const aOk = a.rps >= TARGET_AWI_RPS && a.p99 < TARGET_AWI_P99_MS;
  console.log(
    `sts AssumeRoleWithWebIdentity: ${Math.round(a.rps)} calls/s (target: >= ${TARGET_AWI_RPS}) p99 ${a.p99} ms (target: < ${TARGET_AWI_P99_MS} ms)${failures(a)} ${aOk ? 'ok' : 'BELOW TARGET'}`,
  );
  console.log(
    `peer bare node http, one RS256 verification per request: ${Math.round(p.rps)} req/s p99 ${p.p99} ms${failures(p)}`,
  );
  console.log(`ratio AssumeRoleWithWebIdentity/peer: ${(a.rps / p.rps).toFixed(2)}`);
  console.log(
    `sts GetCallerIdentity (SigV4, session): ${Math.round(g.rps)} calls/s (target: >= ${TARGET_GCI_RPS}) p99 ${g.p99} ms${failures(g)} ${g.rps >= TARGET_GCI_RPS ? 'ok' : 'BELOW TARGET'}`,
  );
}

const serveIndex = process.argv.indexOf('--serve');
if (serveIndex >= 0) await serve(process.argv[serveIndex + 1] ?? 'sts');
else await run();
