/**
 * A small service over rx-api-client, the kind whose tests docs/testing.md shows: it takes the client, and
 * returns cold Observables.
 */
import type { Observable } from 'rxjs';
import { postJson, type AsyncAPIClient } from 'rx-api-client';

export interface Item {
  id: number;
  name: string;
}

export class ItemsApi {
  constructor(private readonly client: AsyncAPIClient) {}

  /** One page of items. */
  list(page = 1): Observable<Item[]> {
    return this.client.getJson<Item[]>('/items', { page });
  }

  /** Creates an item; a POST is not retried unless the server said it may be (the client's policy). */
  create(name: string): Observable<Item> {
    return postJson<Item>(this.client, '/items', { name });
  }
}
