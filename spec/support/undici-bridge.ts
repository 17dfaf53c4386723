import { once } from 'node:events';
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect as netConnect, isIP, type AddressInfo, type Socket } from 'node:net';
import { Agent, buildConnector, Pool } from 'undici';

/*
 * nock patches http.request and the global fetch, never undici's own sockets.
 * To run the nock specs on the undici transport with real sockets, the
 * transport gets an Agent whose connections to any host that is not a
 * loopback IP go to a loopback "bridge" server in this process instead. The
 * bridge sends each request on through the global fetch (which nock answers;
 * with `redirect: 'manual'`, so a 3xx comes back as it is) and streams the
 * answer back: undici's connector, parser, pool, body stream and abort are
 * under test, nock only stands in for the far server. A nock error
 * (replyWithError, no match, a body that dies) becomes a destroyed socket,
 * which undici reports as the network error it would meet on a real one.
 *
 * Why fetch rather than http.request, which nock also patches: nock answers
 * fetch in about a third of the time, and the nock specs send bursts of a
 * thousand requests. The price: on the hop to nock fetch adds its default
 * headers (accept, user-agent, accept-encoding...) as in the fetch run, and
 * it decodes a compressed answer, which therefore fails here, loudly.
 * Connections to loopback IPs (the specs' own servers) go direct.
 */

// Set by the bridge itself on the hop to nock; never forwarded.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

/**
 * The dispatcher of the bridge's own fetch: it refuses every connection, so a
 * request that nock does not answer (or nock not loaded) fails as a name that
 * does not resolve, and never leaves this machine.
 */
const nowhere = {
  dispatch(options: { origin?: string | URL }, handler: { onError(error: Error): void }): boolean {
    const host = new URL(String(options.origin)).hostname;
    const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${host} (the undici bridge reaches nothing but nock)`), { code: 'ENOTFOUND', hostname: host });
    queueMicrotask(() => handler.onError(error));
    return true;
  },
};

/** Reads a request body whole (nock's are small); undefined when there is none. */
async function bodyOf(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length === 0 ? undefined : Buffer.concat(chunks);
}

/** Requests the bridges of this process have forwarded: spec/undici/bridge.undici.spec.ts checks that nock's hosts are reached through undici. */
export const bridged = { requests: 0 };

/** One request of the bridge: sent on to `origin` through the global fetch (nock's), its answer streamed back. */
async function forward(origin: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // The client went away (an abort, a timeout): so does the request to nock.
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  const fail = (): void => void req.socket.destroy();
  try {
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!;
      // fetch sets host and the framing itself.
      if (!HOP_BY_HOP.has(name.toLowerCase()) && !/^(host|content-length)$/i.test(name)) headers.append(name, req.rawHeaders[i + 1]!);
    }
    const body = await bodyOf(req);
    const answer = await fetch(`${origin}${req.url ?? '/'}`, {
      method: req.method,
      headers,
      body,
      redirect: 'manual',
      signal: abort.signal,
      dispatcher: nowhere,
    } as RequestInit);
    const encoding = answer.headers.get('content-encoding');
    if (encoding !== null && encoding.trim().toLowerCase() !== 'identity') {
      // fetch has decoded it already: forwarding would not be what undici meets on the wire.
      console.error(`undici bridge: ${req.method} ${origin}${req.url}: nock answered with content-encoding ${encoding}, which the bridge cannot pass on as sent`);
      fail();
      return;
    }
    const raw: string[] = [];
    for (const [name, value] of answer.headers) {
      if (name !== 'set-cookie' && !HOP_BY_HOP.has(name)) raw.push(name, value);
    }
    for (const cookie of answer.headers.getSetCookie()) raw.push('set-cookie', cookie);
    res.writeHead(answer.status, answer.statusText, raw);
    if (answer.body === null) return void res.end();
    for await (const chunk of answer.body as unknown as AsyncIterable<Uint8Array>) {
      if (!res.write(chunk)) await once(res, 'drain', { signal: abort.signal });
    }
    res.end();
  } catch {
    // A nock error (replyWithError, no match, a body that dies) or an abort: the socket dies, as a real one would.
    fail();
  }
}

export interface UndiciBridge {
  /** An Agent for undiciTransport: loopback IPs direct, every other host through the bridge. */
  readonly agent: Agent;
  close(): Promise<void>;
}

// The sockets per bridged origin: nock's answers are quick, a few sockets serve a burst best.
const BRIDGED_CONNECTIONS = 32;

/** Whether the transport may reach `hostname` directly: a loopback IP, where the specs run their own servers. */
function isLoopbackIp(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

/** Starts the bridge on 127.0.0.1 (an ephemeral port) and returns an Agent that routes through it. */
export async function startUndiciBridge(): Promise<UndiciBridge> {
  // The origin (`http://api.test`) that each bridge connection stands for, by the client-side port.
  const origins = new Map<number, string>();
  const server: Server = http.createServer((req, res) => {
    const origin = origins.get(req.socket.remotePort ?? -1);
    if (origin === undefined) return void req.socket.destroy();
    bridged.requests += 1;
    void forward(origin, req, res);
  });
  // The bridge must not keep a worker alive, nor its idle keep-alive sockets outlive a spec file.
  server.unref();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const direct = buildConnector({});
  const agent = new Agent({
    // The nock specs send bursts of up to 1,000 requests: queued on 32 sockets they cost the bridge
    // less CPU than on a socket each. Loopback servers get undici's defaults.
    factory: (origin, options) => new Pool(origin, isLoopbackIp(new URL(String(origin)).hostname) ? options : { ...options, connections: BRIDGED_CONNECTIONS }),
    connect: (options, callback) => {
      if (isLoopbackIp(options.hostname)) return direct(options, callback);
      const socket: Socket = netConnect({ host: '127.0.0.1', port });
      socket.setNoDelay(true);
      const onError = (error: Error) => callback(error, null);
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        const defaultPort = options.protocol === 'https:' ? '443' : '80';
        const hostPort = options.port && options.port !== defaultPort ? `${options.hostname}:${options.port}` : options.hostname;
        origins.set(socket.localPort!, `${options.protocol}//${hostPort}`);
        const local = socket.localPort!;
        socket.once('close', () => origins.delete(local));
        callback(null, socket);
      });
    },
  });
  return {
    agent,
    close: async () => {
      await agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
