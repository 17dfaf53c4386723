import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipBomb, streamHugeBody } from './fault-bodies.cjs';
import { mixSeed, seededRandom } from './prng.js';

/*
 * A loopback HTTP server that misbehaves on purpose, one fault per request:
 *
 *   GET /fault/<fault>/<id>[?times=n]  the fault for the first n hits of <id> (default: every hit), then a clean answer
 *   GET /chaos/<id>                    each hit faulted at random (seeded by seed, id and hit), see `chaos`
 *
 * A clean answer is 200 {"id": <id>, "attempt": <hit number>}. The server logs
 * what it injected into each hit of each id, so a spec can check the client's
 * outcome against what really happened on the wire. Its memory stays bounded:
 * a spec forgets an id once it has checked it.
 */

/** Everything the server can do to one response. */
export const FAULTS = [
  'reset-before-headers',
  'reset-after-headers',
  'reset-mid-body',
  'truncated-body',
  'slow-headers',
  'slow-body',
  'stall-headers',
  'stall-body',
  'status-503',
  'status-429',
  'status-404',
  'large-headers',
  'huge-headers',
  'invalid-json',
  'huge-body',
  'huge-body-declared',
  'gzip-bomb',
  'redirect-loop',
] as const;

export type Fault = (typeof FAULTS)[number];
/** What the server did to one hit: a fault, or `none` for a clean answer. */
export type Injection = Fault | 'none';

export interface FaultServerOptions {
  /** Bytes of the huge bodies. @default 64 MiB (above the client's default limit of 50 MiB) */
  readonly hugeBodyBytes?: number;
  /** Bytes the gzip bomb expands to; on the wire it is about a thousandth of that. @default 128 MiB */
  readonly gzipBombBytes?: number;
  /** How late the slow faults answer, in real milliseconds. @default 20 */
  readonly slowMs?: number;
  /** The `/chaos` route: each hit is faulted with probability `rate`, with a fault drawn from `faults`. */
  readonly chaos?: { readonly seed: number; readonly rate: number; readonly faults: readonly Fault[] };
}

export interface FaultServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** What was injected into each hit of `id`, in order (one entry per attempt the client made). */
  injected(id: string): readonly Injection[];
  /** Hits of `id` whose connection closed before the response was complete: the client let go, or a fault cut it. */
  closedEarly(id: string): number;
  /** Drops what is known of `id`, once a spec has checked it. */
  forget(id: string): void;
  /** How many hits got each injection, over the server's life. */
  readonly totals: ReadonlyMap<Injection, number>;
  /** Responses not finished and not closed: requests in progress or stalled right now. */
  openResponses(): number;
  /** Of those, the ones stalled on purpose (`stall-headers`, `stall-body`): only the client can end them. */
  stalledResponses(): number;
  /** Open TCP connections (idle keep-alive ones included). */
  connections(): number;
  close(): Promise<void>;
}

// Taken at import: a spec that fakes timers must not freeze the server's own delays.
const realSetTimeout = globalThis.setTimeout.bind(globalThis);
const realClearTimeout = globalThis.clearTimeout.bind(globalThis);

const KIB = 1024;
const MIB = 1024 * KIB;
const JSON_TYPE = { 'content-type': 'application/json' };
/** A `content-length` the faults that cut a body short promise and never keep. */
const PROMISED_LENGTH = 100;

interface Hit {
  readonly id: string;
  readonly attempt: number;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

interface Settings {
  readonly hugeBodyBytes: number;
  readonly slowMs: number;
  readonly bomb: Buffer;
}

type FaultHandler = (hit: Hit, settings: Settings) => void;

function cleanAnswer({ res, id, attempt }: Hit): void {
  res.writeHead(200, JSON_TYPE).end(JSON.stringify({ id, attempt }));
}

/** Runs `action` after `ms` of real time, unless the connection closes first. */
function later(res: ServerResponse, ms: number, action: () => void): void {
  const timer = realSetTimeout(action, ms);
  res.once('close', () => realClearTimeout(timer));
}

/** A hard reset (RST), not a polite close (FIN). */
function reset(res: ServerResponse): void {
  res.socket?.resetAndDestroy();
}

/** Headers now, with a promised length, and `partial` of the body; the rest never comes. */
function startBody(res: ServerResponse, partial: string): void {
  res.writeHead(200, { ...JSON_TYPE, 'content-length': String(PROMISED_LENGTH) });
  res.write(partial);
}

const HANDLERS: Record<Fault, FaultHandler> = {
  'reset-before-headers': ({ res }) => reset(res),
  'reset-after-headers': ({ res }, { slowMs }) => {
    res.writeHead(200, { ...JSON_TYPE, 'content-length': String(PROMISED_LENGTH) });
    res.flushHeaders();
    later(res, slowMs, () => reset(res));
  },
  'reset-mid-body': ({ res }, { slowMs }) => {
    startBody(res, '{"items":[1,2,');
    later(res, slowMs, () => reset(res));
  },
  'truncated-body': ({ res }, { slowMs }) => {
    startBody(res, '{"items":[1,2,');
    // A clean FIN, short of the promised length: the body simply ends too early.
    later(res, slowMs, () => res.socket?.end());
  },
  'slow-headers': (hit, { slowMs }) => later(hit.res, slowMs, () => cleanAnswer(hit)),
  'slow-body': (hit, { slowMs }) => {
    hit.res.writeHead(200, JSON_TYPE);
    hit.res.flushHeaders();
    later(hit.res, slowMs, () => hit.res.end(JSON.stringify({ id: hit.id, attempt: hit.attempt })));
  },
  'stall-headers': () => {
    // Never answers: only the client's timeout ends this.
  },
  'stall-body': ({ res }) => startBody(res, '{"items":[1,2,'),
  'status-503': ({ res }) => res.writeHead(503, JSON_TYPE).end('{"error":"unavailable"}'),
  'status-429': ({ res }) => res.writeHead(429, { ...JSON_TYPE, 'retry-after': '0' }).end('{"error":"slow down"}'),
  'status-404': ({ res }) => res.writeHead(404, JSON_TYPE).end('{"error":"not found"}'),
  // 8 KiB of headers: within what any HTTP client accepts.
  'large-headers': (hit) => {
    hit.res.setHeader('x-padding', 'p'.repeat(8 * KIB));
    cleanAnswer(hit);
  },
  // 64 KiB of headers: above Node's limit (16 KiB, --max-http-header-size).
  'huge-headers': (hit) => {
    hit.res.setHeader('x-padding', 'p'.repeat(64 * KIB));
    cleanAnswer(hit);
  },
  'invalid-json': ({ res }) => res.writeHead(200, JSON_TYPE).end('{"id": oops, not json'),
  // Every hop of the loop is a hit: one attempt of the client is 1 + maxRedirects hits here.
  'redirect-loop': ({ req, res }) => res.writeHead(302, { location: req.url ?? '/' }).end(),
  'huge-body': ({ res }, { hugeBodyBytes }) => {
    res.writeHead(200, JSON_TYPE);
    streamHugeBody(res, hugeBodyBytes);
  },
  'huge-body-declared': ({ res }, { hugeBodyBytes }) => {
    res.writeHead(200, { ...JSON_TYPE, 'content-length': String(hugeBodyBytes) });
    streamHugeBody(res, hugeBodyBytes);
  },
  'gzip-bomb': ({ res }, { bomb }) => {
    res.writeHead(200, { ...JSON_TYPE, 'content-encoding': 'gzip', 'content-length': String(bomb.length) });
    res.end(bomb);
  },
};

function chaosPick(chaos: NonNullable<FaultServerOptions['chaos']>, id: string, attempt: number): Injection {
  const random = seededRandom(mixSeed(chaos.seed, attempt, ...Array.from(id, (c) => c.charCodeAt(0))));
  if (random() >= chaos.rate) return 'none';
  return chaos.faults[Math.floor(random() * chaos.faults.length)]!;
}

/** Starts a fault server on 127.0.0.1, on a port the system picks. */
export async function startFaultServer(options: FaultServerOptions = {}): Promise<FaultServer> {
  const settings: Settings = {
    hugeBodyBytes: options.hugeBodyBytes ?? 64 * MIB,
    slowMs: options.slowMs ?? 20,
    bomb: await gzipBomb(options.gzipBombBytes ?? 128 * MIB),
  };
  const records = new Map<string, { injected: Injection[]; closedEarly: number }>();
  const totals = new Map<Injection, number>();
  const open = new Set<ServerResponse>();
  const stalled = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    const match = /^\/(?:fault\/([a-z0-9-]+)|chaos)\/([^/?]+)(?:\?times=(\d+))?$/.exec(req.url ?? '');
    if (!match) return void res.writeHead(400, JSON_TYPE).end('{"error":"no such route"}');
    const [, named, id = '', times] = match;
    if (named !== undefined && !(FAULTS as readonly string[]).includes(named)) {
      return void res.writeHead(400, JSON_TYPE).end(`{"error":"no fault ${named}"}`);
    }
    let record = records.get(id);
    if (!record) records.set(id, (record = { injected: [], closedEarly: 0 }));
    const attempt = record.injected.length + 1;
    let injection: Injection;
    if (named === undefined) {
      if (!options.chaos) return void res.writeHead(400, JSON_TYPE).end('{"error":"no chaos configured"}');
      injection = chaosPick(options.chaos, id, attempt);
    } else {
      injection = times === undefined || attempt <= Number(times) ? (named as Fault) : 'none';
    }
    record.injected.push(injection);
    totals.set(injection, (totals.get(injection) ?? 0) + 1);

    open.add(res);
    if (injection === 'stall-headers' || injection === 'stall-body') stalled.add(res);
    const counted = record;
    res.once('close', () => {
      open.delete(res);
      stalled.delete(res);
      if (!res.writableFinished) counted.closedEarly += 1;
    });
    const hit: Hit = { id, attempt, req, res };
    if (injection === 'none') cleanAnswer(hit);
    else HANDLERS[injection](hit, settings);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let connections = 0;
  server.on('connection', (socket) => {
    connections += 1;
    socket.once('close', () => (connections -= 1));
  });

  return {
    origin: `http://127.0.0.1:${port}`,
    injected: (id) => records.get(id)?.injected ?? [],
    closedEarly: (id) => records.get(id)?.closedEarly ?? 0,
    forget: (id) => void records.delete(id),
    totals,
    openResponses: () => open.size,
    stalledResponses: () => stalled.size,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
