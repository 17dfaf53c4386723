// rx-api-client/angular: the client in Angular's injector, with the user's functions in its injection context.
// Angular (@angular/core) is a peer dependency of this entry only.
export { provideApiClient, type ApiClientOptions } from './provide.js';
export { API_TEST_TRANSPORT, provideApiClientTesting } from './testing.js';
