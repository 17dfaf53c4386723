import { describe, expect, it } from 'vitest';
import { QUERY_CREDENTIAL } from '../../src/core/headers.js';
import { apiKeyAuth, basicAuth, bearerTokenAuth, ConfigurationError, oauthTokenAuth } from '../../src/index.js';

describe('auth helpers', () => {
  it('bearerTokenAuth makes an Authorization header', () => {
    expect(bearerTokenAuth('abc')).toEqual({ Authorization: 'Bearer abc' });
  });

  it('oauthTokenAuth is the same as bearerTokenAuth', () => {
    expect(oauthTokenAuth('tok')).toEqual(bearerTokenAuth('tok'));
  });

  it('apiKeyAuth uses X-API-Key by default and any header name given', () => {
    expect(apiKeyAuth('k1')).toEqual({ 'X-API-Key': 'k1' });
    expect(apiKeyAuth('k1', 'X-Goog-Api-Key')).toEqual({ 'X-Goog-Api-Key': 'k1' });
  });

  it.each([
    ['an empty token', () => bearerTokenAuth(''), /token is empty/],
    ['a blank token', () => bearerTokenAuth('  '), /token is empty/],
    ['an undefined token (an unset variable)', () => bearerTokenAuth(undefined as never), /token is empty/],
    ['a token with CR/LF', () => bearerTokenAuth('abc\r\nX-Evil: 1'), /token: the value of header "Authorization"/],
    ['an empty access token', () => oauthTokenAuth(''), /token is empty/],
    ['an empty API key', () => apiKeyAuth(''), /API key is empty/],
    ['an API key with LF', () => apiKeyAuth('k\n'), /header "X-API-Key"/],
    ['a header name with a space', () => apiKeyAuth('k', 'X Key'), /not a valid header name/],
    ['a header name with a space, as an option', () => apiKeyAuth('k', { name: 'X Key' }), /not a valid header name/],
    ['an empty API key in the query', () => apiKeyAuth('', { in: 'query' }), /API key is empty/],
    ['an empty query parameter name', () => apiKeyAuth('k', { in: 'query', name: '' }), /query parameter name must be a non-empty string/],
    ['an unknown place for the key', () => apiKeyAuth('k', { in: 'cookie' as never }), /"in" must be 'header' or 'query'/],
    ['an empty basic user', () => basicAuth('', 'p'), /the user is empty/],
    ['a basic user with ":"', () => basicAuth('a:b', 'p'), /must not contain ":"/],
    ['a basic password with CR/LF', () => basicAuth('u', 'p\r\nX-Evil: 1'), /control character/],
    ['a basic password that is not a string', () => basicAuth('u', undefined as never), /password must be a string, not undefined/],
  ])('refuses %s', (_name, make, message) => {
    expect(make).toThrow(ConfigurationError);
    expect(make).toThrow(message);
  });

  it('apiKeyAuth with { in: "header" } is the header form', () => {
    expect(apiKeyAuth('k1', { in: 'header' })).toEqual({ 'X-API-Key': 'k1' });
    expect(apiKeyAuth('k1', { name: 'X-Key' })).toEqual({ 'X-Key': 'k1' });
  });

  it('apiKeyAuth with { in: "query" } holds the key under a symbol: kept by spread, never by JSON', () => {
    const auth = { ...bearerTokenAuth('t'), ...apiKeyAuth('k-123', { in: 'query', name: 'key' }) };
    expect(auth[QUERY_CREDENTIAL]).toEqual({ name: 'key', value: 'k-123' });
    expect(Object.keys(auth)).toEqual(['Authorization']);
    expect(JSON.stringify(auth)).not.toContain('k-123');
    expect(apiKeyAuth('k', { in: 'query' })[QUERY_CREDENTIAL]).toEqual({ name: 'api_key', value: 'k' });
  });

  it.each([
    ['aladdin', 'open sesame', 'Basic YWxhZGRpbjpvcGVuIHNlc2FtZQ=='],
    ['key_live_123', '', 'Basic a2V5X2xpdmVfMTIzOg=='],
    // RFC 7617 section 2.1: UTF-8 before base64.
    ['test', '123£', 'Basic dGVzdDoxMjPCow=='],
    ['user', 'pa:ss', 'Basic dXNlcjpwYTpzcw=='],
  ])('basicAuth(%j, %j) is %s', (user, password, header) => {
    expect(basicAuth(user, password)).toEqual({ Authorization: header });
  });

  it('never shows the secret in the message', () => {
    for (const make of [
      () => bearerTokenAuth('hunter2\n'),
      () => apiKeyAuth('hunter2\r', 'X-Key'),
      () => basicAuth('hunter2:x', 'p'),
      () => basicAuth('u', 'hunter2\n'),
    ]) {
      expect(make).toThrow(ConfigurationError);
      try {
        make();
      } catch (error) {
        expect((error as Error).message).not.toContain('hunter2');
      }
    }
  });
});
