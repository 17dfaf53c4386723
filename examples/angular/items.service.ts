/**
 * An Angular service over rx-api-client, written the way an Angular app
 * writes one: the client comes from the injector, the service exposes cold
 * Observables, and whoever subscribes decides when a request ends. In an app
 * you would add `@Injectable({ providedIn: 'root' })`; this example stays
 * undecorated so that it runs without Angular's compiler, and the injector
 * creates it the same way (`inject()` works in its field initialisers).
 *
 *   providers: [provideApiClient({ baseUrl: 'https://api.example.com/v1' }, withRetryBudget()), ItemsService]
 */
import { DestroyRef, inject, InjectionToken, type Provider } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { debounceTime, distinctUntilChanged, map, switchMap, type Observable } from 'rxjs';
import { AsyncAPIClient, sse, type ClientOptions, type Feature, type ServerSentEvent } from '../../src/index.js';

export interface Item {
  id: number;
  name: string;
}

/** The client, one per injector. */
export const API_CLIENT = new InjectionToken<AsyncAPIClient>('API_CLIENT');

/** Provides {@link API_CLIENT} built from `options` and the opt-in `features` (`withCircuitBreaker()`...), as `provideHttpClient(withFetch())` does. */
export function provideApiClient(options: ClientOptions, ...features: Feature[]): Provider {
  return { provide: API_CLIENT, useFactory: () => new AsyncAPIClient(options, ...features) };
}

export class ItemsService {
  readonly #client = inject(API_CLIENT);

  /** One page of items. Unsubscribing (a component destroyed, `switchMap`) aborts the request. */
  list(page = 1): Observable<Item[]> {
    return this.#client.getJson<Item[]>('/items', { page });
  }

  /** Type-ahead: each new term aborts the search still in flight. */
  search(terms$: Observable<string>, debounceMs = 200): Observable<Item[]> {
    return terms$.pipe(
      debounceTime(debounceMs),
      distinctUntilChanged(),
      switchMap((q) => this.#client.getJson<Item[]>('/items/search', { q })),
    );
  }

  /** Live changes as Server-Sent Events, resumed with Last-Event-ID after a drop. */
  changes(): Observable<Item> {
    return sse(this.#client, '/items/changes').pipe(map((event: ServerSentEvent) => JSON.parse(event.data) as Item));
  }
}

/**
 * What a component does with the service: it subscribes, and its
 * `DestroyRef` ends the subscription (aborting the request) when it goes.
 */
export class ItemListComponent {
  readonly #items = inject(ItemsService);
  readonly #destroyRef = inject(DestroyRef);
  items: Item[] = [];

  load(page = 1): void {
    this.#items
      .list(page)
      .pipe(takeUntilDestroyed(this.#destroyRef))
      .subscribe((items) => (this.items = items));
  }
}
