import { ConfigurationError } from './errors.js';
import { checkHeader } from './headers.js';

function checkSecret(value: string, what: string, header: string): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigurationError(`${what} is empty: pass the ${what} itself (check that the variable it comes from is set)`);
  }
  checkHeader(header, value, what);
}

/**
 * The header of a Bearer token: `{ Authorization: 'Bearer <token>' }`.
 * Throws {@link ConfigurationError} for an empty token or one with CR/LF.
 *
 * @example
 * ```ts
 * new AsyncAPIClient('https://api.example.com', bearerTokenAuth(process.env.API_TOKEN!));
 * ```
 */
export function bearerTokenAuth(token: string): { Authorization: string } {
  checkSecret(token, 'token', 'Authorization');
  return { Authorization: `Bearer ${token}` };
}

/**
 * An API key in a header of your choice: `{ [headerName]: apiKey }`.
 *
 * @param headerName the header that carries the key
 * @default headerName 'X-API-Key'
 * @example
 * ```ts
 * apiKeyAuth('k-123');                 // { 'X-API-Key': 'k-123' }
 * apiKeyAuth('k-123', 'X-Goog-Api-Key'); // { 'X-Goog-Api-Key': 'k-123' }
 * ```
 */
export function apiKeyAuth(apiKey: string, headerName = 'X-API-Key'): Record<string, string> {
  checkHeader(headerName, '', 'apiKeyAuth headerName');
  checkSecret(apiKey, 'API key', headerName);
  return { [headerName]: apiKey };
}

/**
 * The header of an OAuth 2.0 access token; the same as {@link bearerTokenAuth}
 * (RFC 6750).
 *
 * @example
 * ```ts
 * new AsyncAPIClient({ baseUrl: 'https://api.example.com', authHeaders: oauthTokenAuth(accessToken) });
 * ```
 */
export function oauthTokenAuth(accessToken: string): { Authorization: string } {
  return bearerTokenAuth(accessToken);
}
