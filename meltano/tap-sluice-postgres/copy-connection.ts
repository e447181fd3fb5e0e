import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import type { TapConfig } from './config.js';
import { sslOption } from './config.js';

/**
 * One PostgreSQL connection of our own for `COPY … TO STDOUT`, speaking the wire protocol
 * directly. PostgreSQL sends every row as a message of its own; a general client turns each
 * into a buffer, a stream chunk and a read (a microsecond a row, most of the tap's time). Here
 * each row is handed over as a range of the bytes the socket read, with nothing allocated.
 * Discovery and everything else still go through the `postgres` client.
 */
export type CopyRows = {
  /** Called with each row's bytes (its newline excluded); the range is valid only during the call. */
  onRow(buf: Buffer, start: number, end: number): void;
  /** Called after each socket read's rows: the place to write output and, if it must wait, pause(). */
  onBatch(): void;
};

export type CopyConnection = {
  /** Runs one COPY … TO STDOUT; resolves with the rows copied once the server says it is done. */
  copy(query: string, rows: CopyRows): Promise<number>;
  /** Stops reading from the server until resume() (output backpressure). */
  pause(): void;
  resume(): void;
  end(): Promise<void>;
};

/** A server error, with PostgreSQL's SQLSTATE as `code` (errors.ts words them). */
export class ServerError extends Error {
  override name = 'PostgresError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** Bytes a plain connection reads at a time. */
const READ_BYTES = 256 * 1024;

const SESSION = { application_name: 'tap-sluice-postgres', client_encoding: 'UTF8', TimeZone: 'UTC', DateStyle: 'ISO, YMD', IntervalStyle: 'postgres', extra_float_digits: '1', standard_conforming_strings: 'on' };

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.allocUnsafe(5);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const cstring = (text: string) => Buffer.from(`${text}\0`, 'utf8');

function startupMessage(user: string, database: string): Buffer {
  const pairs = Object.entries({ user, database, ...SESSION }).flatMap(([k, v]) => [cstring(k), cstring(v)]);
  const body = Buffer.concat([Buffer.from([0, 3, 0, 0]), ...pairs, Buffer.from([0])]);
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32BE(body.length + 4);
  return Buffer.concat([length, body]);
}

/** ErrorResponse / NoticeResponse fields: M (message), C (SQLSTATE), D (detail). */
function parseFields(buf: Buffer, start: number, end: number): Record<string, string> {
  const fields: Record<string, string> = {};
  let i = start;
  while (i < end && buf[i] !== 0) {
    const code = String.fromCharCode(buf[i]!);
    const stop = buf.indexOf(0, i + 1);
    fields[code] = buf.toString('utf8', i + 1, stop);
    i = stop + 1;
  }
  return fields;
}

const serverError = (buf: Buffer, start: number, end: number) => {
  const fields = parseFields(buf, start, end);
  return new ServerError(fields.M ?? 'server error', fields.C ?? '');
};

const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();

/** SCRAM-SHA-256 (RFC 5802/7677) as PostgreSQL speaks it: the user name comes from the startup message. */
function scram(password: string) {
  const nonce = randomBytes(18).toString('base64');
  const clientFirstBare = `n=*,r=${nonce}`;
  let serverSignature: Buffer | undefined;
  return {
    first: () => Buffer.concat([cstring('SCRAM-SHA-256'), int32(Buffer.byteLength(`n,,${clientFirstBare}`)), Buffer.from(`n,,${clientFirstBare}`)]),
    final(serverFirst: string): Buffer {
      const attrs = Object.fromEntries(serverFirst.split(',').map((part) => [part[0], part.slice(2)]));
      if (!attrs.r?.startsWith(nonce) || !attrs.s || !attrs.i) throw new ServerError('the server sent an invalid SCRAM challenge', 'SCRAM');
      const salted = pbkdf2Sync(password.normalize('NFKC'), Buffer.from(attrs.s, 'base64'), Number(attrs.i), 32, 'sha256');
      const clientKey = hmac(salted, 'Client Key');
      const withoutProof = `c=biws,r=${attrs.r}`;
      const auth = `${clientFirstBare},${serverFirst},${withoutProof}`;
      const signature = hmac(createHash('sha256').update(clientKey).digest(), auth);
      serverSignature = hmac(hmac(salted, 'Server Key'), auth);
      const proof = Buffer.from(clientKey.map((byte, i) => byte ^ signature[i]!));
      return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`);
    },
    verify(serverFinal: string) {
      const expected = serverSignature;
      const given = Buffer.from(/v=([^,]*)/.exec(serverFinal)?.[1] ?? '', 'base64');
      if (!expected || given.length !== expected.length || !timingSafeEqual(given, expected)) throw new ServerError('the server did not prove it knows the password (SCRAM signature mismatch)', 'SCRAM');
    },
  };
}

function int32(value: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(value);
  return out;
}

/** A plain connection; `receive` gets each read in one buffer reused read after read (no garbage per read). */
async function connectPlain(config: TapConfig, receive?: (data: Buffer) => void): Promise<net.Socket> {
  const buffer = receive && Buffer.allocUnsafe(READ_BYTES);
  const socket = net.connect({ host: config.host, port: config.port, ...(receive && buffer ? { onread: { buffer, callback: (n: number) => (receive(buffer.subarray(0, n)), true) } } : {}) });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/**
 * The socket, after PostgreSQL's SSL negotiation when the config asks for it (as the `postgres`
 * client does). A plain connection hands reads to `receive` itself; an encrypted one emits them
 * as 'data' (`viaEvents`).
 */
async function openSocket(config: TapConfig, receive: (data: Buffer) => void): Promise<{ socket: net.Socket; viaEvents: boolean }> {
  const ssl = sslOption(config.ssl_mode);
  if (ssl === false) return { socket: await connectPlain(config, receive), viaEvents: false };
  const plain = await connectPlain(config);
  plain.write(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])); // SSLRequest
  const answer = await new Promise<number>((resolve, reject) => {
    plain.once('data', (data: Buffer) => resolve(data[0]!));
    plain.once('error', reject);
  });
  if (answer !== 0x53) {
    plain.destroy();
    // The server has no SSL: `allow` and `prefer` go on without it, on a connection of their own.
    if (ssl === 'allow' || ssl === 'prefer') return { socket: await connectPlain(config, receive), viaEvents: false };
    throw Object.assign(new Error('the server does not accept SSL connections, and the settings require SSL'), { code: 'SSL_REFUSED' });
  }
  const options: tls.ConnectionOptions = typeof ssl === 'object' ? ssl : ssl === 'verify-full' ? {} : { rejectUnauthorized: false };
  // `host` is what the certificate is checked against (verify-full); SNI takes names only.
  const secure = tls.connect({ socket: plain, host: config.host, ...(net.isIP(config.host) ? {} : { servername: config.host }), ...options });
  await new Promise<void>((resolve, reject) => {
    secure.once('secureConnect', resolve);
    secure.once('error', reject);
  });
  return { socket: secure, viaEvents: true };
}

/** Connects and signs in (trust, password, md5 or SCRAM-SHA-256), with the session settings the tap's values rely on. */
export async function connectCopy(config: TapConfig): Promise<CopyConnection> {
  const password = config.password ?? '';

  // Messages are read in place from each read; `pending` holds the start of one the read cut off.
  let pending: Buffer | undefined;
  let onMessage: ((type: number, buf: Buffer, start: number, end: number) => void) | undefined;
  let onBatch: (() => void) | undefined;
  let failed: ((error: Error) => void) | undefined;

  const receive = (input: Buffer) => {
    let at = 0;
    try {
      if (pending) {
        // Complete the message cut by the last read from the head of this one (not a copy of all of it).
        const head = pending.length >= 5 ? pending : Buffer.concat([pending, input.subarray(0, 5 - pending.length)]);
        if (head.length < 5) {
          pending = head;
          return;
        }
        const total = head.readUInt32BE(1) + 1;
        const taken = Math.min(input.length, total - pending.length);
        const whole = Buffer.concat([pending, input.subarray(0, taken)]);
        at = taken;
        if (whole.length < total) {
          pending = whole;
          return;
        }
        pending = undefined;
        onMessage?.(whole[0]!, whole, 5, total);
      }
      while (input.length - at >= 5) {
        const length = input.readUInt32BE(at + 1);
        if (input.length - at < length + 1) break;
        onMessage?.(input[at]!, input, at + 5, at + 1 + length);
        at += length + 1;
      }
    } catch (error) {
      failed?.(error as Error);
      return;
    }
    // A copy: the read buffer is used again.
    if (at < input.length) pending = Buffer.from(input.subarray(at));
    onBatch?.();
  };
  const { socket, viaEvents } = await openSocket(config, receive);
  if (viaEvents) socket.on('data', receive);
  const closed = () => failed?.(Object.assign(new Error('the server closed the connection'), { code: 'CONNECTION_CLOSED' }));
  socket.on('error', (error) => failed?.(error));
  socket.on('close', closed);

  await new Promise<void>((resolve, reject) => {
    failed = reject;
    let sasl: ReturnType<typeof scram> | undefined;
    onMessage = (type, buf, start, end) => {
      if (type === 0x45) throw serverError(buf, start, end); // E
      if (type === 0x5a) return resolve(); // Z: ready for query
      if (type !== 0x52) return; // R: authentication; S, K, N need nothing
      const kind = buf.readUInt32BE(start);
      if (kind === 0) return;
      if (kind === 3) socket.write(message('p', cstring(password)));
      else if (kind === 5) {
        const inner = createHash('md5').update(password + config.user).digest('hex');
        socket.write(message('p', cstring(`md5${createHash('md5').update(Buffer.concat([Buffer.from(inner), buf.subarray(start + 4, start + 8)])).digest('hex')}`)));
      } else if (kind === 10) {
        sasl = scram(password);
        socket.write(message('p', sasl.first()));
      } else if (kind === 11) socket.write(message('p', sasl!.final(buf.toString('utf8', start + 4, end))));
      else if (kind === 12) sasl!.verify(buf.toString('utf8', start + 4, end));
      else throw new ServerError(`the server asks for a sign-in method this source does not support (${kind})`, 'AUTH');
    };
    socket.write(startupMessage(config.user, config.database));
  });

  return {
    copy(query, rows) {
      return new Promise<number>((resolve, reject) => {
        let copied = 0;
        let error: Error | undefined;
        failed = reject;
        onBatch = rows.onBatch;
        onMessage = (type, buf, start, end) => {
          if (type === 0x64) {
            // d: one row; COPY ends it with a newline
            rows.onRow(buf, start, buf[end - 1] === 0x0a ? end - 1 : end);
            copied += 1;
          } else if (type === 0x45) error ??= serverError(buf, start, end);
          else if (type === 0x5a) {
            onMessage = undefined;
            onBatch = undefined;
            if (error) reject(error);
            else resolve(copied);
          }
          // H (copy out response), c (copy done), C (command complete), N, S: nothing to do
        };
        socket.write(message('Q', cstring(query)));
      });
    },
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    async end() {
      socket.off('close', closed);
      failed = undefined;
      if (!socket.destroyed) socket.end(message('X', Buffer.alloc(0)));
      socket.destroy();
    },
  };
}
