/**
 * The application's providers, as an Angular app's `app.config.ts` writes them: zoneless change
 * detection and the client, whose base URL would come from the environment. `main.ts` bootstraps
 * the app with them; the test bootstraps it the same way, with the test transport added.
 */
import { provideZonelessChangeDetection, type ApplicationConfig } from '@angular/core';
import { provideApiClient } from 'rx-api-client/angular';

export const appConfig: ApplicationConfig = {
  providers: [provideZonelessChangeDetection(), provideApiClient({ baseUrl: 'https://api.example.com/v1' })],
};
