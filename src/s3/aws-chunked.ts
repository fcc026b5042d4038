import { createHash, createHmac, type Hash, timingSafeEqual } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { AwsError } from '../aws/index.js';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const CRLF = Buffer.from('\r\n');
/** Longest chunk-size line (hex size + ";chunk-signature=" + 64 hex) and trailer section we accept. */
const MAX_LINE = 4096;
const MAX_TRAILER = 16 * 1024;

/** What a signed aws-chunked body needs to verify each chunk: the seed request's key, signature and scope. */
export interface ChunkSigning {
  readonly signingKey: Buffer;
  readonly seedSignature: string;
  /** Credential scope, "YYYYMMDD/region/s3/aws4_request". */
  readonly scope: string;
  /** x-amz-date of the seed request (YYYYMMDDTHHMMSSZ). */
  readonly amzDate: string;
}

export interface AwsChunkedOptions {
  /** Present for STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]: every chunk must carry a valid chunk-signature. */
  readonly signing?: ChunkSigning;
  /** The -TRAILER modes: trailing headers follow the final chunk (signed with x-amz-trailer-signature when signing). */
  readonly trailer: boolean;
  /** x-amz-decoded-content-length, when sent: the decoded size must equal it. */
  readonly decodedLength?: number;
}

// The decoder's framing errors. S3 documents no code for a malformed aws-chunked body; irsakit answers
// IncompleteBody when the body ends early or disagrees with x-amz-decoded-content-length, and
// InvalidRequest when the framing itself is broken.
const incomplete = () => new AwsError('IncompleteBody', 'The request body terminated unexpectedly', 400);
const malformed = (why: string) =>
  new AwsError('InvalidRequest', `Malformed aws-chunked encoding: ${why}`, 400);
const badSignature = () =>
  new AwsError(
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    403,
  );

function hmacHex(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text).digest('hex');
}

function sameHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

type State = 'size' | 'data' | 'data-crlf' | 'trailer' | 'done';

/**
 * Decodes an aws-chunked body (S3 SigV4 streaming upload) into its payload, one chunk at a time:
 *   hex-size[;chunk-signature=sig]\r\n data \r\n … 0[;chunk-signature=sig]\r\n [trailer lines\r\n] \r\n
 * Data is passed on as it arrives (never buffered whole); a chunk's signature is checked when its data ends
 * (string to sign: AWS4-HMAC-SHA256-PAYLOAD, date, scope, previous signature, SHA-256(""), SHA-256(chunk)), so
 * the consumer must commit nothing before this stream ends without error. Trailers are in `trailers` after end.
 */
export class AwsChunkedDecoder extends Transform {
  readonly trailers = new Map<string, string>();
  private state: State = 'size';
  private line: Buffer[] = [];
  private lineLength = 0;
  private remaining = 0;
  private chunkSignature = '';
  private previousSignature: string;
  private chunkHash: Hash | null = null;
  private decoded = 0;
  private sawFinal = false;

  constructor(private readonly options: AwsChunkedOptions) {
    // Large uploads: let up to a megabyte of decoded payload queue for the next stage (the default 16 KiB
    // would stop and restart the flow every few socket reads).
    super({ readableHighWaterMark: 1024 * 1024 });
    this.previousSignature = options.signing?.seedSignature ?? '';
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.consume(chunk);
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    if (this.state !== 'done') cb(incomplete());
    else if (this.options.decodedLength !== undefined && this.decoded !== this.options.decodedLength) {
      cb(incomplete());
    } else cb();
  }

  private consume(buf: Buffer): void {
    let i = 0;
    while (i < buf.length) {
      switch (this.state) {
        case 'size':
        case 'trailer': {
          const nl = buf.indexOf(0x0a, i);
          const end = nl === -1 ? buf.length : nl + 1;
          this.lineLength += end - i;
          if (this.lineLength > (this.state === 'size' ? MAX_LINE : MAX_TRAILER)) {
            throw malformed(this.state === 'size' ? 'chunk header line too long' : 'trailer too long');
          }
          this.line.push(buf.subarray(i, end));
          i = end;
          if (nl === -1) break;
          const text = Buffer.concat(this.line).toString('latin1');
          this.line = [];
          if (this.state === 'size') {
            this.lineLength = 0;
            this.onSizeLine(text);
          } else {
            this.onTrailerLine(text);
          }
          break;
        }
        case 'data': {
          const n = Math.min(this.remaining, buf.length - i);
          const part = buf.subarray(i, i + n);
          this.chunkHash?.update(part);
          this.push(part);
          this.remaining -= n;
          this.decoded += n;
          i += n;
          if (this.remaining === 0) this.state = 'data-crlf';
          break;
        }
        case 'data-crlf': {
          // Two bytes, possibly split across reads: track them in `line`.
          this.line.push(buf.subarray(i, i + 1));
          i++;
          if (this.line.length === 2) {
            if (!Buffer.concat(this.line).equals(CRLF)) throw malformed('chunk data not followed by CRLF');
            this.line = [];
            this.endChunk();
            this.state = 'size';
          }
          break;
        }
        case 'done':
          throw malformed('data after the final chunk');
      }
    }
  }

  private onSizeLine(raw: string): void {
    if (!raw.endsWith('\r\n')) throw malformed('chunk header not terminated by CRLF');
    const text = raw.slice(0, -2);
    const semi = text.indexOf(';');
    const sizeText = semi === -1 ? text : text.slice(0, semi);
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText))
      throw malformed(`invalid chunk size "${sizeText.slice(0, 32)}"`);
    const size = Number.parseInt(sizeText, 16);
    if (!Number.isSafeInteger(size)) throw malformed('chunk size too large');
    const ext = semi === -1 ? '' : text.slice(semi + 1);
    if (this.options.signing) {
      const m = /^chunk-signature=([0-9a-f]{64})$/.exec(ext);
      if (!m) throw badSignature();
      this.chunkSignature = m[1]!;
      this.chunkHash = createHash('sha256');
    } else if (ext !== '' && !ext.startsWith('chunk-signature=')) {
      throw malformed('unknown chunk extension');
    }
    if (this.options.decodedLength !== undefined && this.decoded + size > this.options.decodedLength) {
      throw incomplete();
    }
    if (size === 0) {
      this.sawFinal = true;
      this.endChunk();
      this.state = 'trailer';
      return;
    }
    this.remaining = size;
    this.state = 'data';
  }

  /** Verifies the chunk that just ended (signed modes) and makes its signature the next chunk's predecessor. */
  private endChunk(): void {
    const s = this.options.signing;
    if (!s) return;
    const payloadHash = this.chunkHash ? this.chunkHash.digest('hex') : EMPTY_SHA256;
    this.chunkHash = null;
    const stringToSign = [
      'AWS4-HMAC-SHA256-PAYLOAD',
      s.amzDate,
      s.scope,
      this.previousSignature,
      EMPTY_SHA256,
      payloadHash,
    ].join('\n');
    const expected = hmacHex(s.signingKey, stringToSign);
    if (!sameHex(expected, this.chunkSignature)) throw badSignature();
    this.previousSignature = expected;
  }

  private onTrailerLine(raw: string): void {
    if (raw === '\r\n' || raw === '\n') {
      this.finish();
      return;
    }
    if (!this.options.trailer) throw malformed('trailer sent without a -TRAILER payload mode');
    const text = raw.replace(/\r?\n$/, '');
    const colon = text.indexOf(':');
    if (colon <= 0) throw malformed('invalid trailer line');
    const name = text.slice(0, colon).trim().toLowerCase();
    const value = text.slice(colon + 1).trim();
    if (this.trailers.size >= 16) throw malformed('too many trailers');
    this.trailers.set(name, value);
  }

  private finish(): void {
    if (!this.sawFinal) throw incomplete();
    const s = this.options.signing;
    if (s && this.options.trailer) {
      const sig = this.trailers.get('x-amz-trailer-signature');
      if (!sig) throw badSignature();
      let canonical = '';
      for (const [k, v] of this.trailers) if (k !== 'x-amz-trailer-signature') canonical += `${k}:${v}\n`;
      const stringToSign = [
        'AWS4-HMAC-SHA256-TRAILER',
        s.amzDate,
        s.scope,
        this.previousSignature,
        createHash('sha256').update(canonical).digest('hex'),
      ].join('\n');
      if (!sameHex(hmacHex(s.signingKey, stringToSign), sig)) throw badSignature();
    }
    this.trailers.delete('x-amz-trailer-signature');
    this.state = 'done';
  }
}
