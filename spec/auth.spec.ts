import { describe, expect, it } from 'vitest';
import { apiKeyAuth, bearerTokenAuth, ConfigurationError, oauthTokenAuth } from '../src/index.js';

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
  ])('refuses %s', (_name, make, message) => {
    expect(make).toThrow(ConfigurationError);
    expect(make).toThrow(message);
  });

  it('never shows the secret in the message', () => {
    for (const make of [() => bearerTokenAuth('hunter2\n'), () => apiKeyAuth('hunter2\r', 'X-Key')]) {
      expect(make).toThrow(ConfigurationError);
      try {
        make();
      } catch (error) {
        expect((error as Error).message).not.toContain('hunter2');
      }
    }
  });
});
