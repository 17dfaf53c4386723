/**
 * A transport that answers at once with a small JSON body and its length (the reader's fast path, as on a
 * real socket), with no socket, server or other process: what is measured over it is the client's own
 * CPU time. bench/overhead.ts and `BENCH_TRANSPORT=stub` of bench/features.ts use it.
 */
import { defer, from, type ObservableInput } from 'rxjs';
import type { Transport } from '../src/index.js';

const headers = new Headers({ 'content-type': 'application/json', 'content-length': '7' });
const answer = () => ({ status: 200, ok: true, type: 'basic', headers, text: () => Promise.resolve('{"a":1}'), json: () => Promise.resolve({ a: 1 }), body: null }) as unknown as Response;

export const stubTransport: Transport = <T>(_url: string, init: RequestInit & { selector: (response: Response) => ObservableInput<T> }) =>
  defer(() => from(init.selector(answer())));
