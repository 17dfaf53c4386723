import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/errors.js';
import { resolveClientOptions } from '../../src/core/options.js';
import { authorize, prepareRequest } from '../../src/core/prepare.js';

const config = resolveClientOptions({
  baseUrl: 'https://h/v1',
  headers: { 'X-Client': 'client', 'X-Shared': 'client' },
  authHeaders: { Authorization: 'Bearer t', 'X-Shared': 'auth' },
});

describe('prepareRequest', () => {
  it('upper-cases the method and keeps the query out of the target', () => {
    const prepared = prepareRequest(config, 'post', 'items', { params: { key: 'k' } });
    expect(prepared.target).toEqual({ method: 'POST', url: 'https://h/v1/items' });
    expect(prepared.url.href).toBe('https://h/v1/items?key=k');
    expect(prepared.init.method).toBe('POST');
  });

  // The reader's accept is the only default header now (the client's content-type for json aside).
  const acceptingClient = resolveClientOptions({ baseUrl: 'https://h/v1', headers: { Accept: 'text/csv', 'X-Client': 'client' } });
  it.each([
    ['defaults only', config, {}, undefined, { accept: 'application/json' }],
    ['another accept', config, { headers: {} }, 'x', { accept: 'x', 'x-client': 'client' }],
    ['client headers over defaults', acceptingClient, { headers: {} }, 'x', { accept: 'text/csv', 'x-client': 'client' }],
    ['auth headers over client headers', config, {}, undefined, { 'x-shared': 'auth' }],
    ['request headers over auth headers, any case', config, { headers: { authorization: 'Basic b', 'X-SHARED': 'req' } }, undefined, { authorization: 'Basic b', 'x-shared': 'req' }],
  ])('header precedence: %s', (_name, client, options, accept, expected) => {
    const prepared = prepareRequest(client, 'GET', 'x', options, accept ?? 'application/json');
    const auth = resolveClientOptions({ baseUrl: 'https://h', authHeaders: { Authorization: 'Bearer t', 'X-Shared': 'auth' } }).auth;
    expect(auth.kind).toBe('fixed');
    const sendable = authorize(prepared, auth.kind === 'fixed' ? auth.credentials : { headers: {} });
    expect(sendable.init.headers).toMatchObject(expected);
  });

  it('serialises json with content-type: application/json', () => {
    const prepared = prepareRequest(config, 'PUT', 'x', { json: { a: [1, 'b'], n: null } });
    expect(prepared.init.body).toBe('{"a":[1,"b"],"n":null}');
    expect(prepared.init.headers).toMatchObject({ 'content-type': 'application/json' });
  });

  it('sends a raw body as it is, with no content-type of its own', () => {
    const form = new URLSearchParams({ a: '1' });
    const prepared = prepareRequest(config, 'POST', 'x', { body: form });
    expect(prepared.init.body).toBe(form);
    expect(prepared.init.headers).not.toHaveProperty('content-type');
    expect(prepared.init.duplex).toBeUndefined();
  });

  it('marks a stream body half-duplex, as Node requires', () => {
    const prepared = prepareRequest(config, 'POST', 'x', { body: new ReadableStream() });
    expect(prepared.init.duplex).toBe('half');
  });

  it.each([
    ['TRACE', /method TRACE cannot be sent with fetch/],
    ['connect', /method CONNECT cannot be sent/],
    ['track', /method TRACK/],
    ['', /method must be a non-empty string/],
    ['G(ET', /method: "G\(ET" is not a valid header name/],
  ])('refuses the method %j', (method, message) => {
    expect(() => prepareRequest(config, method, 'x', {})).toThrow(ConfigurationError);
    expect(() => prepareRequest(config, method, 'x', {})).toThrow(message);
  });

  it.each([
    ['HEAD with a body', 'HEAD', { body: 'x' }, /a HEAD request cannot have a body/],
    ['GET with json', 'GET', { json: { a: 1 } }, /a GET request cannot have a body/],
    ['a symbol as json', 'POST', { json: Symbol('s') }, /a symbol has no JSON form/],
  ])('refuses %s', (_name, method, options, message) => {
    expect(() => prepareRequest(config, method, 'x', options as never)).toThrow(message);
  });

  it('treats json: undefined and body: null as no body', () => {
    expect(prepareRequest(config, 'GET', 'x', { json: undefined, body: null }).init.body).toBeUndefined();
  });
});
