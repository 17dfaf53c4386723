import { inject, InjectionToken, Injector, runInInjectionContext, type Provider } from '@angular/core';
// The package's own entry, not a relative import: built, this stays `import ... from 'rx-api-client'`, so an app
// gets one AsyncAPIClient class (the injection token) whichever build its bundler picks for the main entry.
import { AsyncAPIClient, type ClientOptions, type Feature } from 'rx-api-client';

/**
 * What `provideApiClientTesting()` puts under every client of an injector:
 * its transport and scheduler, over the options given. Internal to this entry.
 */
export const CLIENT_OVERRIDES = new InjectionToken<Pick<ClientOptions, 'transport' | 'scheduler'>>('rx-api-client overrides');

/**
 * The client's options, or a function that returns them, run in the injection
 * context (so it may `inject()` a configuration token).
 *
 * @example
 * ```ts
 * const options: ApiClientOptions = () => ({ baseUrl: inject(API_URL), timeout: 10_000 });
 * ```
 */
export type ApiClientOptions = ClientOptions | (() => ClientOptions);

/**
 * Provides an {@link AsyncAPIClient} to an injector: `inject(AsyncAPIClient)`
 * gets it, or `inject(token)` for a second API. Its auth function
 * (`authHeaders`), its interceptors and its token refresh run in the
 * injection context, so `inject()` works inside them. For
 * `bootstrapApplication`, `TestBed`, or a component's `providers`.
 *
 * @param options the client's options, or a function that returns them (run in the injection context)
 * @param features opt-in features, as `new AsyncAPIClient(options, ...features)` takes them
 * @returns the providers
 * @example
 * ```ts
 * bootstrapApplication(AppComponent, {
 *   providers: [
 *     provideApiClient({ baseUrl: 'https://api.example.com/v1', authHeaders: () => bearerTokenAuth(inject(Session).token) }, withRetryBudget()),
 *     provideApiClient(BILLING_API, { baseUrl: 'https://billing.example.com' }),
 *   ],
 * });
 * ```
 */
export function provideApiClient(options: ApiClientOptions, ...features: Feature[]): Provider[];
/**
 * Provides a second client (another API) under its own token.
 *
 * @param token the token to `inject()` this client with: `new InjectionToken<AsyncAPIClient>('billing API')`
 */
export function provideApiClient(token: InjectionToken<AsyncAPIClient>, options: ApiClientOptions, ...features: Feature[]): Provider[];
export function provideApiClient(...args: unknown[]): Provider[] {
  const [token, options, features] =
    args[0] instanceof InjectionToken
      ? [args[0], args[1] as ApiClientOptions, args.slice(2) as Feature[]]
      : [AsyncAPIClient, args[0] as ApiClientOptions, args.slice(1) as Feature[]];
  return [{ provide: token, useFactory: () => createClient(options, features) }];
}

/** The client, made in the provider's injection context: the user's functions are run back in it. */
function createClient(options: ApiClientOptions, features: readonly Feature[]): AsyncAPIClient {
  const injector = inject(Injector);
  const run = <T>(callback: () => T): T => runInInjectionContext(injector, callback);
  const given = typeof options === 'function' ? options() : options;
  const { authHeaders } = given;
  const resolved: ClientOptions = {
    ...given,
    ...(typeof authHeaders === 'function' && { authHeaders: () => run(authHeaders) }),
    ...inject(CLIENT_OVERRIDES, { optional: true }),
  };
  // Each feature sees the client with `run` (the plug-in contract's host context), and its setup runs in context too.
  // What is not a feature goes as it is, for the client to refuse with its own message.
  const hosted = features.map((feature): Feature => (typeof feature?.setup === 'function' ? { order: feature.order, setup: (client) => feature.setup({ ...client, run }) } : feature));
  return new AsyncAPIClient(resolved, ...hosted);
}
