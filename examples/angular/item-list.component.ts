/**
 * A standalone, zoneless component that shows a page of items with
 * `rxResource`: the resource subscribes to `ItemsService.list(page)`, and a
 * new page unsubscribes from the old request, which aborts it. The latest
 * change (Server-Sent Events) is a signal through `toSignal`.
 */
import { Component, inject, signal } from '@angular/core';
import { rxResource, toSignal } from '@angular/core/rxjs-interop';
import { isHttpError } from 'rx-api-client';
import { ItemsService } from './items.service.js';

@Component({
  selector: 'app-item-list',
  template: `
    @if (items.isLoading()) {
      <p class="loading">Loading…</p>
    }
    @if (items.error(); as error) {
      <p class="error" role="alert">{{ describe(error) }}</p>
    }
    @if (items.hasValue()) {
      <ul>
        @for (item of items.value(); track item.id) {
          <li>{{ item.name }}</li>
        }
      </ul>
    }
    @if (lastChange(); as change) {
      <p class="change">{{ change.name }} changed</p>
    }
    <button type="button" (click)="page.set(page() + 1)">Page {{ page() + 1 }}</button>
  `,
})
export class ItemListComponent {
  readonly #items = inject(ItemsService);
  readonly page = signal(1);
  readonly items = rxResource({ params: () => this.page(), stream: ({ params: page }) => this.#items.list(page), defaultValue: [] });
  readonly lastChange = toSignal(this.#items.changes());

  /** What the user reads when a page could not be loaded (after the client's retries). */
  describe(error: unknown): string {
    return isHttpError(error) ? `The items could not be loaded (status ${error.status}).` : 'The items could not be loaded.';
  }
}
