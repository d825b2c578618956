import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { pollInto, type EventStream, type PollLog } from '../../src/http/event-stream.ts';

/** A stream that is only its signal: what pollInto reads of it. */
function quietStream(): EventStream & { readonly controller: AbortController } {
  const controller = new AbortController();
  return { controller, signal: controller.signal, send: () => undefined, end: () => controller.abort() };
}

/** A PollLog whose warnings are kept to be read. */
function recordingLog(): PollLog & { readonly warnings: { fields: Record<string, unknown>; message: string }[] } {
  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  const warn = (fields: Record<string, unknown>, message: string) => void warnings.push({ fields, message });
  return { warnings, path: '/api/builds/7/events', logger: { warn } as unknown as PollLog['logger'] };
}

describe('pollInto: the timer behind every dashboard event stream', () => {
  it('leaves no abort listener behind from the ticks it waited', async () => {
    const stream = quietStream();
    let ticks = 0;
    let listening = -1;
    await pollInto(stream, 1, recordingLog(), async () => {
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
    const polling = pollInto(stream, 60_000, recordingLog(), async () => {
      ticks += 1;
      return false;
    });
    stream.controller.abort();
    await polling; // would hang for a minute if the abort did not wake the wait
    assert.equal(ticks, 1);
  });

  it('logs the first failure of a step once, and goes on polling until the step is done', async () => {
    const stream = quietStream();
    const log = recordingLog();
    const bug = new TypeError("Cannot read properties of undefined (reading 'state')");
    let ticks = 0;
    await pollInto(stream, 1, log, async () => {
      ticks += 1;
      if (ticks <= 3) throw bug;
      return ticks === 5;
    });
    assert.equal(ticks, 5, 'the failing ticks were retried');
    assert.equal(stream.signal.aborted, true, 'the stream ends as before once the step is done');
    assert.equal(log.warnings.length, 1, 'three failures of one stream, one warning');
    assert.equal(log.warnings[0]!.fields.err, bug);
    assert.equal(log.warnings[0]!.fields.path, '/api/builds/7/events');
    assert.match(log.warnings[0]!.message, /event stream step failed/);
  });

  it('logs nothing for a stream whose steps all succeed', async () => {
    const stream = quietStream();
    const log = recordingLog();
    let ticks = 0;
    await pollInto(stream, 1, log, async () => (ticks += 1) === 3);
    assert.equal(ticks, 3);
    assert.deepEqual(log.warnings, []);
  });
});
