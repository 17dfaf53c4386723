/** The app's entry point: the item list, bootstrapped as a standalone application with `appConfig`. */
import { bootstrapApplication } from '@angular/platform-browser';
import { appConfig } from './app.config.js';
import { ItemListComponent } from './item-list.component.js';

bootstrapApplication(ItemListComponent, appConfig).catch((error: unknown) => console.error(error));
