import type { Observable, Subscription } from 'rxjs';

/** What one subscription received, for assertions on exact notifications. */
export interface Recording<T> {
  readonly values: T[];
  error: unknown;
  completed: boolean;
  /** Whether a terminal notification (error or complete) arrived. */
  readonly done: () => boolean;
  readonly subscription: Subscription;
}

export function record<T>(source: Observable<T>): Recording<T> {
  const recording = {
    values: [] as T[],
    error: undefined as unknown,
    completed: false,
    done: () => recording.completed || recording.error !== undefined,
  };
  const subscription = source.subscribe({
    next: (value) => recording.values.push(value),
    error: (error: unknown) => {
      recording.error = error;
    },
    complete: () => {
      recording.completed = true;
    },
  });
  return Object.assign(recording, { subscription });
}
