import { from, Subscription, type ObservableInput, type SchedulerLike, type Subscriber } from 'rxjs';
import type { Reply } from './replies.js';

// Statuses whose Response may not have a body: the constructor throws for one.
const NULL_BODY = new Set([204, 205, 304]);

/** What fetch rejects with when the connection resets (in Node, with the socket's error as cause). */
export function resetError(): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
}

/**
 * Answers one request of the test transport as fetch would: after `delay` on
 * `scheduler`, the `Response` goes to `selector` and what it emits goes to
 * `subscriber`; a fault errors instead. The returned subscription is the
 * connection: unsubscribing it before the reader is done aborts the body, as
 * fetch's `AbortController` does. `done` runs once the reader has finished.
 */
export function respond<T>(
  answer: Reply | Response,
  url: string,
  selector: (response: Response) => ObservableInput<T>,
  subscriber: Subscriber<T>,
  scheduler: SchedulerLike,
  done: () => void,
): Subscription {
  const connection = new Subscription();
  const reply: Reply = answer instanceof Response ? {} : answer;
  const start = () => {
    if (reply.fault === 'hang') return;
    if (reply.fault === 'reset') {
      done();
      subscriber.error(resetError());
      return;
    }
    const response = answer instanceof Response ? answer : toResponse(reply, scheduler, connection);
    // A made-up Response has no URL; the client's errors and readers may look at it.
    Object.defineProperty(response, 'url', { value: url });
    let reading: Subscription | undefined;
    try {
      reading = from(selector(response)).subscribe({
        next: (value) => subscriber.next(value),
        error: (error: unknown) => {
          done();
          subscriber.error(error);
        },
        complete: () => {
          done();
          subscriber.complete();
        },
      });
    } catch (error) {
      done();
      subscriber.error(error);
    }
    if (reading) connection.add(reading);
  };
  if (reply.delay) connection.add(scheduler.schedule(start, reply.delay));
  else start();
  return connection;
}

/** The `Response` of a reply: a body given whole, or in chunks sent on the scheduler and aborted with the connection. */
function toResponse(reply: Reply, scheduler: SchedulerLike, connection: Subscription): Response {
  const status = reply.status ?? 200;
  const headers = new Headers(reply.headers);
  if (NULL_BODY.has(status)) return new Response(null, { status, headers });
  if (reply.chunks) return new Response(chunkStream(reply, scheduler, connection), { status, headers });
  const { body } = reply;
  if (body === undefined || body === null) return new Response(null, { status, headers });
  if (isRaw(body)) return new Response(body as BodyInit, { status, headers });
  if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  return new Response(JSON.stringify(body), { status, headers });
}

function isRaw(body: unknown): boolean {
  return (
    typeof body === 'string' ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    body instanceof Blob ||
    body instanceof URLSearchParams ||
    (typeof FormData !== 'undefined' && body instanceof FormData) ||
    (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream)
  );
}

function chunkStream({ chunks = [], interval = 0, end = 'close' }: Reply, scheduler: SchedulerLike, connection: Subscription): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const timers = new Subscription();
  let open = true;
  let index = 0;
  // No queue (highWaterMark 0): each chunk is timed from the reader's asking for it, so a reset comes after the
  // chunks were read, as on a network, and a virtual clock does not rush chunks past a reader still busy.
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        // The connection aborted (the request unsubscribed): the body fails as fetch's does, and no chunk comes after.
        connection.add(() => {
          timers.unsubscribe();
          if (open) controller.error(new DOMException('This operation was aborted', 'AbortError'));
          open = false;
        });
      },
      pull(controller) {
        return new Promise<void>((resolve) => {
          timers.add(
            scheduler.schedule(() => {
              if (index < chunks.length) {
                const chunk = chunks[index++]!;
                controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
                // A close comes with the last chunk; a reset when the reader asks for more.
                if (index < chunks.length || end !== 'close') return resolve();
              }
              if (end === 'hang') return;
              open = false;
              if (end === 'close') controller.close();
              else controller.error(resetError());
              resolve();
            }, interval),
          );
        });
      },
      cancel() {
        open = false;
        timers.unsubscribe();
      },
    },
    { highWaterMark: 0 },
  );
}
