import { lastValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { AsyncAPIClient, ConfigurationError, fetchTransport, type Transport } from '../../src/index.js';
import { resolveTransport } from '../../src/core/transport.js';
import { startServer, type TestServer } from '../support/server.js';

let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('resolveTransport', () => {
  it('is fetchTransport when left out, and the function given otherwise', () => {
    const own: Transport = (url, init) => fetchTransport(url, init);
    expect(resolveTransport(undefined)).toBe(fetchTransport);
    expect(resolveTransport(own)).toBe(own);
  });

  it.each([[{}], ['fetch'], [null], [42]])('refuses %j with a ConfigurationError that says what to pass', (value) => {
    expect(() => resolveTransport(value)).toThrow(ConfigurationError);
    expect(() => resolveTransport(value)).toThrow('transport must be a function such as undiciTransport() from rx-api-client/undici, or left out for fetch');
  });
});

describe('the transport option', () => {
  it('sends every hop of an attempt through the transport, with redirect: manual (the client follows redirects)', async () => {
    server = await startServer((req, res) => {
      if (req.url === '/old') res.writeHead(301, { location: '/new' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    const calls: [string, RequestInit['redirect']][] = [];
    const transport: Transport = (url, init) => {
      calls.push([url, init.redirect]);
      return fetchTransport(url, init);
    };
    const client = new AsyncAPIClient({ baseUrl: server.origin, transport });
    expect(await lastValueFrom(client.getJson('/old'))).toEqual({ ok: true });
    expect(calls).toEqual([
      [`${server.origin}/old`, 'manual'],
      [`${server.origin}/new`, 'manual'],
    ]);
  });
});
