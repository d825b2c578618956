import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { pollInto, type EventStream } from '../../src/http/event-stream.ts';

/** A stream that is only its signal: what pollInto reads of it. */
function quietStream(): EventStream & { readonly controller: AbortController } {
  const controller = new AbortController();
  return { controller, signal: controller.signal, send: () => undefined, end: () => controller.abort() };
}

describe('pollInto: the timer behind every dashboard event stream', () => {
  it('leaves no abort listener behind from the ticks it waited', async () => {
    const stream = quietStream();
    let ticks = 0;
    let listening = -1;
    await pollInto(stream, 1, async () => {
      ticks += 1;
      // on the 20th tick the 19 waits before it are over: none of them may still listen
      if (ticks === 20) listening = getEventListeners(stream.signal, 'abort').length;
      return ticks === 20;
    });
    assert.equal(ticks, 20);
    assert.equal(listening, 0);
    assert.equal(stream.signal.aborted, true, 'a step that says it is done ends the stream');
  });

  it('stops waiting as soon as the stream ends', async () => {
    const stream = quietStream();
    let ticks = 0;
    const polling = pollInto(stream, 60_000, async () => {
      ticks += 1;
      return false;
    });
    stream.controller.abort();
    await polling; // would hang for a minute if the abort did not wake the wait
    assert.equal(ticks, 1);
  });
});
