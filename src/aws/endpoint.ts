import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { authenticateRequest, toSigV4Request } from './authenticate.js';
import type { Credentials } from './credentials.js';
import { commonErrors } from './errors.js';
import {
  type AwsContext,
  AwsError,
  type AwsService,
  type Caller,
  type JsonService,
  type QueryService,
  type RawService,
  type RestJsonService,
} from './service.js';
import { parseQuery, type SigV4Request, sha256Hex, splitUrl } from './sigv4-canonical.js';
import { peekSigningService } from './sigv4-verify.js';
import { renderQueryError, renderQueryResponse } from './xml.js';

/** Facts about the HTTP exchange an authorizer may turn into global condition keys. */
export interface RequestFacts {
  readonly sourceIp: string;
  readonly secure: boolean;
  readonly region: string;
  readonly now: number;
  readonly userAgent?: string;
}

/**
 * Decides whether `caller` may perform `action` on `resource`; throws AwsError AccessDenied with AWS's wording
 * when not. The default wiring (createPolicyAuthorizer) runs src/policy with the caller's policies from IAM.
 */
export type Authorizer = (
  caller: Caller,
  action: string,
  resource: string,
  context: Record<string, string | string[]> | undefined,
  facts: RequestFacts,
) => Promise<void>;

export interface AwsLogEntry {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly service?: string;
  readonly operation?: string;
  readonly status: number;
  readonly code?: string;
  readonly callerArn?: string;
  readonly ms: number;
}

export interface AwsEndpointOptions {
  readonly services: readonly AwsService[];
  readonly credentials: Pick<Credentials, 'resolveSigner'>;
  /** Defaults to: administrators allowed, everyone else denied. */
  readonly authorize?: Authorizer;
  readonly account: string;
  readonly region: string;
  readonly now?: () => number;
  readonly log?: (entry: AwsLogEntry) => void;
  /** Largest Query/JSON body accepted; default 1 MiB (IAM policy documents are at most 131072 characters). */
  readonly maxBodyBytes?: number;
  readonly requestId?: () => string;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

const ANONYMOUS_ARN = '*';

export function anonymousCaller(): Caller {
  return {
    kind: 'anonymous',
    arn: ANONYMOUS_ARN,
    accountId: '',
    userId: 'anonymous',
    principal: { arn: ANONYMOUS_ARN, accountId: '', type: 'Anonymous' },
  };
}

export const denyAllButAdmin: Authorizer = async (caller, action, resource) => {
  if (caller.kind === 'admin') return;
  throw commonErrors.accessDenied(
    `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${resource}`,
  );
};

type Protocol = 'query' | 'json' | 'rest-json';

const sigv4Cache = new WeakMap<IncomingMessage, SigV4Request>();

/** The request as the verifier sees it, built once per request. */
function sigv4Of(req: IncomingMessage): SigV4Request {
  let s = sigv4Cache.get(req);
  if (!s) {
    s = toSigV4Request(req);
    sigv4Cache.set(req, s);
  }
  return s;
}

type LogDraft = { -readonly [K in keyof AwsLogEntry]?: AwsLogEntry[K] };

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** JSON with Date as epoch seconds, as the JSON protocols encode timestamps. */
function jsonBody(value: unknown): string {
  return JSON.stringify(value ?? {}, function (this: Record<string, unknown>, key, v) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : v;
  });
}

function matchRoute(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const g = got[i] as string;
    if (w.startsWith('{') && w.endsWith('}')) {
      if (g === '') return undefined;
      try {
        params[w.slice(1, -1)] = decodeURIComponent(g);
      } catch {
        return undefined;
      }
    } else if (w !== g) return undefined;
  }
  return params;
}

/**
 * The AWS endpoint: one HTTP listener for every emulated service, as AWS's edge is for the SDKs. Routing, in
 * order: (1) the SigV4 credential scope's service (header or presigned query), (2) the X-Amz-Target prefix,
 * (3) the Query `Action` (unsigned STS calls), (4) the path (the raw S3 service, if registered).
 * Paths under /_irsakit/ belong to the runtime, which handles them before calling this listener.
 */
export function createAwsEndpoint(
  opts: AwsEndpointOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const now = opts.now ?? Date.now;
  const authorize = opts.authorize ?? denyAllButAdmin;
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const newId = opts.requestId ?? randomUUID;
  const bySigningName = new Map<string, AwsService>();
  const byTarget = new Map<string, JsonService>();
  const queryServices: QueryService[] = [];
  let raw: RawService | undefined;
  for (const s of opts.services) {
    if (!bySigningName.has(s.signingName)) bySigningName.set(s.signingName, s);
    if (s.protocol === 'json') byTarget.set(s.targetPrefix, s);
    if (s.protocol === 'query') queryServices.push(s);
    if (s.protocol === 'raw') raw ??= s;
  }

  function facts(req: IncomingMessage, region: string): RequestFacts {
    const ua = header(req, 'user-agent');
    return {
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      secure: Boolean((req.socket as TLSSocket).encrypted),
      region,
      now: now(),
      ...(ua !== undefined ? { userAgent: ua } : {}),
    };
  }

  function context(req: IncomingMessage, requestId: string, caller: Caller, region: string): AwsContext {
    const f = facts(req, region);
    return {
      requestId,
      caller,
      account: opts.account,
      region,
      sourceIp: f.sourceIp,
      secure: f.secure,
      now,
      authorize: (action, resource, ctx) => authorize(caller, action, resource, ctx, f),
    };
  }

  function send(
    res: ServerResponse,
    status: number,
    contentType: string,
    body: string,
    requestId: string,
    extra?: Record<string, string>,
  ) {
    if (res.headersSent) {
      res.end();
      return;
    }
    res.writeHead(status, {
      'content-type': contentType,
      'x-amzn-RequestId': requestId,
      'content-length': Buffer.byteLength(body),
      ...extra,
    });
    res.end(body);
  }

  function sendError(
    res: ServerResponse,
    protocol: Protocol,
    err: AwsError,
    requestId: string,
    xmlns?: string,
  ) {
    if (protocol === 'query') {
      send(res, err.status, 'text/xml', renderQueryError(err, xmlns, requestId), requestId);
    } else {
      const type = protocol === 'json' ? 'application/x-amz-json-1.1' : 'application/json';
      send(res, err.status, type, JSON.stringify({ __type: err.code, message: err.message }), requestId, {
        'x-amzn-ErrorType': err.code,
      });
    }
  }

  /** Authenticates a signed request for a non-raw service; MissingAuthenticationToken when unsigned. */
  function authenticate(
    req: IncomingMessage,
    signingName: string,
    body: Buffer,
  ): { caller: Caller; region: string } {
    const result = authenticateRequest(sigv4Of(req), {
      credentials: opts.credentials,
      service: signingName,
      payloadHash: sha256Hex(body),
      normalizePath: true,
      now: now(),
    });
    if (result === null)
      throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
    return { caller: result.caller, region: result.region };
  }

  async function handleQuery(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    svc: QueryService | undefined,
    log: LogDraft,
  ) {
    const body = await readBody(req, maxBody);
    const params = new Map<string, string>();
    for (const p of parseQuery(splitUrl(req.url ?? '/').query)) params.set(p.key, p.value);
    const ctype = header(req, 'content-type') ?? '';
    if (body.length > 0 && (ctype === '' || ctype.startsWith('application/x-www-form-urlencoded'))) {
      // Form bodies use '+' for spaces (application/x-www-form-urlencoded), unlike SigV4 query strings.
      for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.set(k, v);
    }
    const action = params.get('Action');
    let service = svc;
    if (service === undefined) {
      const candidates = queryServices.filter(
        (s) => action !== undefined && Object.hasOwn(s.actions, action),
      );
      service = candidates.find((s) => s.unsignedActions?.includes(action ?? '')) ?? candidates[0];
    }
    const xmlns = service?.xmlns;
    log.service = service?.signingName;
    log.operation = action;
    try {
      if (action === undefined || action === '') throw commonErrors.missingAction();
      if (service === undefined) throw commonErrors.invalidAction(action, params.get('Version') ?? '');
      const version = params.get('Version');
      const handler = Object.hasOwn(service.actions, action) ? service.actions[action] : undefined;
      if (handler === undefined || (version !== undefined && version !== service.version)) {
        throw commonErrors.invalidAction(action, version ?? service.version);
      }
      let caller: Caller;
      let region = opts.region;
      if (service.unsignedActions?.includes(action)) {
        // Unsigned by the model (smithy.api#noAuth): any signature a client adds anyway is irrelevant.
        caller = anonymousCaller();
      } else {
        ({ caller, region } = authenticate(req, service.signingName, body));
      }
      log.callerArn = caller.arn;
      const result = await handler(params, context(req, requestId, caller, region));
      send(res, 200, 'text/xml', renderQueryResponse(action, service.xmlns, result, requestId), requestId);
      log.status = 200;
    } catch (err) {
      const e = toAwsError(err);
      log.status = e.status;
      log.code = e.code;
      sendError(res, 'query', e, requestId, xmlns);
    }
  }

  async function handleJson(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    svc: JsonService,
    target: string | undefined,
    log: LogDraft,
  ) {
    const body = await readBody(req, maxBody);
    const op = target?.slice(target.lastIndexOf('.') + 1);
    log.service = svc.signingName;
    log.operation = op;
    const { caller, region } = authenticate(req, svc.signingName, body);
    log.callerArn = caller.arn;
    const handler = op !== undefined && Object.hasOwn(svc.operations, op) ? svc.operations[op] : undefined;
    if (handler === undefined) throw commonErrors.unknownOperation();
    let input: Record<string, unknown> = {};
    if (body.length > 0) {
      try {
        const parsed: unknown = JSON.parse(body.toString('utf8'));
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw new Error('not an object');
        input = parsed as Record<string, unknown>;
      } catch {
        throw commonErrors.serializationError('Start of structure or map found where not expected.');
      }
    }
    const result = await handler(input, context(req, requestId, caller, region));
    send(res, 200, 'application/x-amz-json-1.1', jsonBody(result), requestId);
    log.status = 200;
  }

  async function handleRestJson(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    svc: RestJsonService,
    log: LogDraft,
  ) {
    const body = await readBody(req, maxBody);
    log.service = svc.signingName;
    const { caller, region } = authenticate(req, svc.signingName, body);
    log.callerArn = caller.arn;
    const { path, query } = splitUrl(req.url ?? '/');
    for (const route of svc.routes) {
      if (route.method !== req.method) continue;
      const params = matchRoute(route.path, path);
      if (!params) continue;
      log.operation = route.operation;
      let input: unknown = {};
      if (body.length > 0) {
        try {
          input = JSON.parse(body.toString('utf8'));
        } catch {
          throw commonErrors.serializationError('Failed to parse the request body as JSON.');
        }
      }
      const out = await route.handle(
        params,
        new URLSearchParams(query),
        input,
        context(req, requestId, caller, region),
      );
      send(res, out.status ?? 200, 'application/json', jsonBody(out.body), requestId);
      log.status = out.status ?? 200;
      return;
    }
    throw new AwsError('ResourceNotFoundException', `No route for ${req.method} ${path}`, 404);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const requestId = newId();
    const log: LogDraft = { requestId, method: req.method ?? '', path: splitUrl(req.url ?? '/').path };
    let protocol: Protocol = 'query';
    let xmlns: string | undefined;
    try {
      const signing = peekSigningService(sigv4Of(req));
      const target = header(req, 'x-amz-target');
      let svc: AwsService | undefined;
      if (signing !== undefined) {
        svc = bySigningName.get(signing);
        if (svc === undefined) {
          throw new AwsError(
            'UnrecognizedClientException',
            `The credential scope names the service '${signing}', which this endpoint does not serve (it serves ${[...bySigningName.keys()].join(', ')}).`,
            400,
          );
        }
      } else if (target !== undefined) {
        svc = byTarget.get(target.slice(0, target.lastIndexOf('.')));
        protocol = 'json';
        if (svc === undefined) throw commonErrors.unknownOperation();
      } else {
        const { query } = splitUrl(req.url ?? '/');
        const ctype = header(req, 'content-type') ?? '';
        const looksQuery =
          (req.method === 'POST' && ctype.startsWith('application/x-www-form-urlencoded')) ||
          /(^|&)Action=/.test(query);
        if (!looksQuery && raw !== undefined) svc = raw;
      }
      if (svc?.protocol === 'raw') {
        log.service = svc.signingName;
        await svc.handle(req, res, requestId);
        log.status = res.statusCode;
        return;
      }
      if (svc === undefined || svc.protocol === 'query') {
        xmlns = svc?.xmlns;
        await handleQuery(req, res, requestId, svc, log);
        return;
      }
      protocol = svc.protocol;
      if (svc.protocol === 'json') await handleJson(req, res, requestId, svc, target, log);
      else await handleRestJson(req, res, requestId, svc, log);
    } catch (err) {
      const e = toAwsError(err);
      log.status = e.status;
      log.code = e.code;
      if (err instanceof BodyTooLarge) res.setHeader('connection', 'close');
      sendError(res, protocol, e, requestId, xmlns);
    } finally {
      opts.log?.({
        ...(log as AwsLogEntry),
        status: log.status ?? res.statusCode,
        ms: performance.now() - started,
      });
    }
  }

  function toAwsError(err: unknown): AwsError {
    if (err instanceof AwsError) return err;
    if (err instanceof BodyTooLarge) return commonErrors.tooLarge(maxBody);
    return commonErrors.internal();
  }

  return (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      } else res.destroy();
    });
  };
}
