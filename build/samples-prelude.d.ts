// The application around the samples of README.md and docs/: globals they use without defining them
// (build/check-samples.mjs compiles every sample with this file). A script, not a module: no top-level
// import or export, so that every declaration is global; a sample's own declaration of a name wins.

// A client, its base URL and a token, as the app made them.
declare const client: import('rx-api-client').AsyncAPIClient;
declare const baseUrl: string;
declare const token: string;
declare function login(): Promise<string>;
declare function renew(signal: AbortSignal): Promise<string>;
declare const tokenStore: { current(): Promise<string> };

// The app's data.
interface Item { id: number; name: string }
interface Job { id: string; last?: boolean }
interface Issue { number: number; title: string }
interface Hit { id: string; title: string }
interface Price { symbol: string; value: number }
interface LogEntry { time: string; message: string }
declare const json: unknown;
declare const queue: Job[];

// The app's UI and work.
declare function render(items: Item[]): void;
declare function show(entry: LogEntry): void;
declare function showHits(hits: Hit[]): void;
declare function updateTicker(price: Price): void;
declare function banner(text: string): void;
declare function handle(job: Job): Promise<void>;
declare const circuitStatus: { set(state: import('rx-api-client').CircuitState): void };
declare const cancelButton: HTMLButtonElement;
declare const terms$: import('rxjs').Observable<string>;

// Test code (docs/testing.md, docs/angular.md): the runner's globals (vitest's, as jasmine's have the same
// shape for these), the test transport and its clock, and the classes of the examples they test.
declare const describe: typeof import('vitest').describe;
declare const it: typeof import('vitest').it;
declare const expect: typeof import('vitest').expect;
declare const beforeEach: typeof import('vitest').beforeEach;
declare const afterEach: typeof import('vitest').afterEach;
declare const api: import('rx-api-client/testing').TestTransport;
declare const scheduler: import('rxjs/testing').TestScheduler;
declare class ItemListComponent {}
