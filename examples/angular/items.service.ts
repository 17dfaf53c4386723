/**
 * An Angular service over rx-api-client, written the way an Angular app
 * writes one: the client comes from the injector (`provideApiClient()` from
 * rx-api-client/angular), the service exposes cold Observables, and whoever
 * subscribes (a component, `rxResource`, `toSignal`) decides when a request
 * ends: unsubscribing aborts it.
 *
 *   bootstrapApplication(ItemListComponent, {
 *     providers: [provideZonelessChangeDetection(), provideApiClient({ baseUrl: 'https://api.example.com/v1' }, withRetryBudget())],
 *   });
 */
import { Injectable, inject } from '@angular/core';
import { debounceTime, distinctUntilChanged, map, switchMap, type Observable } from 'rxjs';
import { AsyncAPIClient, sse, type ServerSentEvent } from 'rx-api-client';

export interface Item {
  id: number;
  name: string;
}

@Injectable({ providedIn: 'root' })
export class ItemsService {
  readonly #client = inject(AsyncAPIClient);

  /** One page of items. Unsubscribing (a component destroyed, `switchMap`, a new `rxResource` page) aborts the request. */
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
