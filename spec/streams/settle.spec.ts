// Issues 16 and 19: settle() turns a batch of item checks into the batch of items that pass, for both stream forms.
import { defer, EMPTY, of, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { settle } from '../../src/streams/settle.js';
import { record } from '../support/record.js';

describe('settle', () => {
  it('emits the outputs of the checks as one batch, in order; a skipped item (a check that emits nothing) is left out', () => {
    const recording = record(settle([of(1), EMPTY, of(3)]));
    expect(recording.values).toEqual([[1, 3]]);
    expect(recording.completed).toBe(true);
  });

  it('emits nothing for a batch whose items were all skipped', () => {
    const recording = record(settle([EMPTY, EMPTY]));
    expect(recording.values).toEqual([]);
    expect(recording.completed).toBe(true);
  });

  it('a refusal errors after the items before it, and the checks after it never run', () => {
    let later = false;
    const refused = new Error('refused');
    const recording = record(settle([of('a'), throwError(() => refused), defer(() => ((later = true), of('c')))]));
    expect(recording.values).toEqual([['a']]);
    expect(recording.error).toBe(refused);
    expect(later).toBe(false);
  });

  it('subscribes each check once the one before it is done: a slow first check is not overtaken', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable, expectSubscriptions }) => {
      const slow = cold('-----(a|)', { a: 1 });
      const fast = cold('-(b|)', { b: 2 });
      expectObservable(settle([slow, fast])).toBe('------(x|)', { x: [1, 2] });
      expectSubscriptions(slow.subscriptions).toBe('^----!');
      expectSubscriptions(fast.subscriptions).toBe('-----^!');
    });
  });
});
