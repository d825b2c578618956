/**
 * The fleet API client against a scripted HTTP server: what it sends, how it pages, and how each
 * kind of answer (or none) becomes SCHEDULER_REJECTED or SCHEDULER_UNREACHABLE.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isSlipwayError } from '../../src/core/errors.ts';
import { createFleetClient } from '../../src/schedulers/fleet/fleet-client.ts';
import { listen, sendJson } from '../emulators/http-util.ts';
import { freePort } from '../support/free-port.ts';

type Reply = { status: number; body?: unknown; raw?: string; hang?: boolean };

describe('fleet client', () => {
  let server: Awaited<ReturnType<typeof listen>>;
  let replies: Reply[] = [];
  const seen: { req: IncomingMessage; body: string }[] = [];
  const client = () => createFleetClient(`http://127.0.0.1:${server.port}`, { timeoutMs: 300 });

  before(async () => {
    server = await listen((req, res, body) => {
      seen.push({ req, body });
      const reply = replies.shift() ?? { status: 500 };
      if (reply.hang) return;
      if (reply.raw !== undefined) return void res.writeHead(reply.status).end(reply.raw);
      if (reply.body === undefined) return void res.writeHead(reply.status).end();
      sendJson(res, reply.status, reply.body);
    });
  });
  after(() => server?.close());

  it('PUTs JSON with exactly one Content-Type and the unit name, and tells created from updated', async () => {
    replies = [{ status: 201 }, { status: 204 }];
    const options = [{ section: 'Service', name: 'ExecStart', value: '/bin/true' }];
    assert.equal(await client().setUnit('web@1.service', { desiredState: 'launched', options }), 'created');
    assert.equal(await client().setUnit('web@1.service', { desiredState: 'inactive' }), 'updated');
    const [first, second] = seen.slice(-2);
    assert.equal(first!.req.url, '/fleet/v1/units/web@1.service');
    assert.deepEqual(first!.req.rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase() === 'content-type').length, 1);
    assert.equal(first!.req.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(first!.body), { name: 'web@1.service', desiredState: 'launched', options });
    assert.deepEqual(JSON.parse(second!.body), { name: 'web@1.service', desiredState: 'inactive' });
  });

  it('follows nextPageToken to the end, and reads a page fleet left empty ({}) as no items', async () => {
    replies = [
      { status: 200, body: { units: [{ name: 'a.service', options: [{ section: 'Service', name: 'Environment' }] }], nextPageToken: 'AQACAA==' } },
      { status: 200, body: {} },
    ];
    const units = await client().units();
    assert.deepEqual(units, [{ name: 'a.service', options: [{ section: 'Service', name: 'Environment', value: '' }] }]);
    assert.equal(seen.at(-1)!.req.url, '/fleet/v1/units?nextPageToken=AQACAA%3D%3D');
    replies = [{ status: 200, body: { states: [{ name: 'a.service' }] } }];
    await client().unitStates('a@1.service');
    assert.equal(seen.at(-1)!.req.url, '/fleet/v1/state?unitName=a%401.service');
  });

  it('answers a unit fleet does not have with undefined, and a DELETE of one with false', async () => {
    replies = [{ status: 404, body: { error: { code: 404, message: 'unit does not exist' } } }, { status: 404, body: { error: { code: 404, message: 'unit does not exist' } } }];
    assert.equal(await client().unit('x.service'), undefined);
    assert.equal(await client().destroyUnit('x.service'), false);
  });

  const refusals: [number, string][] = [
    [400, 'name in URL "a.service" differs from unit name in request body "b.service"'],
    [409, 'unit does not exist and options field empty'],
    [415, 'only acceptable Content-Type is application/json'],
    [405, 'only GET, PUT and DELETE supported against this resource'],
  ];
  for (const [status, message] of refusals) {
    it(`${status} → SCHEDULER_REJECTED with fleet's message, not retryable`, async () => {
      replies = [{ status, body: { error: { code: status, message } } }];
      const err = await client().setUnit('a.service', { desiredState: 'launched' }).catch((e: unknown) => e);
      assert.ok(isSlipwayError(err, 'SCHEDULER_REJECTED') && !err.retryable, String(err));
      assert.ok(err.message.includes(message), err.message);
    });
  }

  const outages: [string, () => Promise<unknown>][] = [
    ['503 (fleet cannot reach etcd)', () => { replies = [{ status: 503, body: { error: { code: 503, message: 'fleet server unable to communicate with etcd' } } }]; return client().units(); }],
    ['an answer that is not JSON', () => { replies = [{ status: 200, raw: '<html>proxy</html>' }]; return client().machines(); }],
    ['no answer in time', () => { replies = [{ status: 200, hang: true }]; return client().units(); }],
    ['a closed port', async () => createFleetClient(`http://127.0.0.1:${await freePort()}`).units()],
    ['a missing unix socket', () => createFleetClient(`unix://${join(tmpdir(), 'no-fleet-here.sock')}`).units()],
  ];
  for (const [what, call] of outages) {
    it(`${what} → SCHEDULER_UNREACHABLE, retryable`, async () => {
      const err = await call().then(() => assert.fail('expected an error'), (e: unknown) => e);
      assert.ok(isSlipwayError(err, 'SCHEDULER_UNREACHABLE') && err.retryable, String(err));
    });
  }
});
