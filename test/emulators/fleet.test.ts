/**
 * The fleet API v1 emulator against the reference (shared/reference/apis.md §8), with raw HTTP:
 * the rejections, paging, machines, the unit state machine, and units that really run on the
 * test Docker engine. Run with `npm test -- test/emulators/fleet.test.ts`.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pinnedName, type PushedImage } from '../../src/core/image.ts';
import { freePort } from '../support/free-port.ts';
import { missingImage, publishSite } from '../support/images.ts';
import { startFleetEmulator, type FleetEmulator } from './fleet.ts';
import { unitFileHash } from './fleet/unit-rules.ts';

type Option = { section: string; name: string; value: string };
const opt = (section: string, name: string, value: string): Option => ({ section, name, value });

/** A request with exactly the headers given (fetch would add and merge some). */
function raw(base: string, method: string, path: string, headers: [string, string][] = [], body?: string, socketPath?: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: any }>((resolve, reject) => {
    // node adds nothing to a raw header list: Host (node's server requires it) and the length are ours
    const url = new URL(path, base);
    const flat = [['host', url.host], ...headers, ...(body === undefined ? [] : [['content-length', String(Buffer.byteLength(body))]])].flat();
    const req = httpRequest({ method, path: url.pathname + url.search, headers: flat, ...(socketPath ? { socketPath } : { host: url.hostname, port: url.port }) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A unit that runs `image` with busybox httpd on PORT, as a person would write it for fleet. */
function webUnit(name: string, image: string, port: number, extra: Option[] = []): Option[] {
  const container = name.replace('@', '-').replace('.service', '');
  return [
    opt('Service', 'ExecStartPre', `-/usr/bin/docker rm -f ${container}`),
    opt('Service', 'ExecStartPre', `/usr/bin/docker pull ${image}`),
    opt('Service', 'ExecStart', `/usr/bin/docker run --rm --name ${container} --net host -e PORT=${port} ${image}`),
    opt('Service', 'ExecStop', `/usr/bin/docker stop ${container}`),
    ...extra,
  ];
}

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

/** The page at `url` once the app answers: active/running means the container started, not that it listens yet. */
async function page(url: string, timeoutMs = 10_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < until) {
    const res = await fetch(url, { headers: { connection: 'close' } }).catch((err: Error) => err);
    if (!(res instanceof Error) && res.ok) return (await res.text()).trim();
    last = res instanceof Error ? res.message : `HTTP ${res.status}`;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url}: ${last} after ${timeoutMs} ms`);
}

describe('fleet API v1 emulator', { timeout: 300_000 }, () => {
  let fleet: FleetEmulator;
  const socketPath = join(tmpdir(), `fleet-${process.pid}.sock`);
  const put = (name: string, body: unknown, headers: [string, string][] = [['content-type', 'application/json']]) =>
    raw(fleet.url, 'PUT', `/fleet/v1/units/${name}`, headers, typeof body === 'string' ? body : JSON.stringify(body));
  const get = async (path: string) => {
    const res = await fetch(fleet.url + path);
    return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
  };
  const expectError = (res: { status: number; body: any }, status: number, message: string | RegExp) => {
    assert.equal(res.status, status, JSON.stringify(res.body));
    assert.equal(res.body.error.code, status);
    if (typeof message === 'string') assert.equal(res.body.error.message, message);
    else assert.match(res.body.error.message, message);
  };

  before(async () => {
    fleet = await startFleetEmulator({ machines: [{ metadata: { role: 'web' } }, { metadata: { role: 'web' } }, { metadata: { role: 'db' } }], pageSize: 2, socketPath });
  });
  after(() => fleet?.close());

  describe('rejections', () => {
    const plain = [opt('Service', 'ExecStart', '/bin/true')];

    it('415 for a PUT that is not exactly one application/json Content-Type', async () => {
      expectError(await put('a.service', { desiredState: 'loaded', options: plain }, []), 415, 'expected 1 Content-Type, got 0');
      expectError(await put('a.service', { desiredState: 'loaded', options: plain }, [['content-type', 'text/plain']]), 415, 'only acceptable Content-Type is application/json');
      expectError(await put('a.service', { desiredState: 'loaded', options: plain }, [['content-type', 'application/json'], ['content-type', 'application/json']]), 415, 'expected 1 Content-Type, got 2');
      assert.equal((await put('a.service', { options: plain }, [['content-type', 'application/json; charset=utf-8']])).status, 201);
      assert.equal((await raw(fleet.url, 'DELETE', '/fleet/v1/units/a.service')).status, 204);
    });

    it('409 for a create without options and an update without desiredState', async () => {
      expectError(await put('b.service', { desiredState: 'launched' }), 409, 'unit does not exist and options field empty');
      assert.equal((await put('b.service', { options: plain })).status, 201);
      expectError(await put('b.service', {}), 409, 'must provide DesiredState to update existing unit');
      expectError(await put('b.service', { options: plain }), 409, 'must provide DesiredState to update existing unit');
      assert.equal((await put('b.service', { desiredState: 'inactive' })).status, 204);
      assert.equal((await raw(fleet.url, 'DELETE', '/fleet/v1/units/b.service')).status, 204);
    });

    it('400 for a name in the body that differs from the URL, and for bodies that do not decode', async () => {
      expectError(await put('c.service', { name: 'd.service', options: plain }), 400, 'name in URL "c.service" differs from unit name in request body "d.service"');
      expectError(await put('c.service', 'not json'), 400, /^unable to decode body: /);
      expectError(await put('c.service', ''), 400, 'unable to decode body: EOF');
      expectError(await put('c.service', { desiredState: 3, options: plain }), 400, /^unable to decode body: json: cannot unmarshal number/);
    });

    it('400 for invalid unit names', async () => {
      const table: [string, string][] = [
        ['nodot', 'unit name must contain "."'],
        ['foo.', 'unit name cannot end in "."'],
        ['foo.bogus', 'invalid unit type: "bogus"'],
        ['foo@1.mount', 'invalid unit type for template: "mount"'],
        ['a%20b.service', 'invalid character " " in unit name'],
        ['@foo.service', 'unit name cannot start in "@"'],
        [`${'a'.repeat(250)}.service`, 'unit name exceeds maximum length (256)'],
      ];
      for (const [name, message] of table) expectError(await put(name, { options: plain }), 400, message);
    });

    it('400 for invalid X-Fleet combinations and over-long lines', async () => {
      const table: [Option[], string][] = [
        [[opt('X-Fleet', 'MachineID', 'abc'), opt('X-Fleet', 'Conflicts', 'x@*.service')], 'MachineID cannot be used with Conflicts'],
        [[opt('X-Fleet', 'MachineID', 'abc'), opt('X-Fleet', 'Global', 'true')], 'MachineID cannot be used with Global'],
        [[opt('X-Fleet', 'MachineID', 'abc'), opt('X-Fleet', 'MachineOf', 'y.service')], 'MachineID cannot be used with Peers'],
        [[opt('X-Fleet', 'Global', 'true'), opt('X-Fleet', 'Conflicts', 'x@*.service')], 'Global cannot be used with Conflicts'],
        [[opt('X-Fleet', 'Global', 'true'), opt('X-Fleet', 'MachineOf', 'y.service')], 'Global cannot be used with Peers'],
        [[opt('X-Fleet', 'MachineOf', 'web@1.service'), opt('X-Fleet', 'Conflicts', 'web@*.service')], 'unresolvable requirements: peer "web@1.service" matches conflict "web@*.service"'],
        [[opt('Service', 'ExecStart', `/bin/echo ${'x'.repeat(2100)}`)], 'line too long (max 2048 bytes)'],
      ];
      for (const [extra, message] of table) expectError(await put('e@1.service', { desiredState: 'launched', options: [...plain, ...extra] }), 400, message);
      assert.equal((await get('/fleet/v1/units/e@1.service')).status, 404);
    });

    it('400 for an unknown desiredState and for launching a template', async () => {
      expectError(await put('f.service', { desiredState: 'running', options: plain }), 400, 'invalid value "running" for JobState');
      assert.equal((await put('g@.service', { options: plain })).status, 201);
      expectError(await put('g@.service', { desiredState: 'launched' }), 400, 'cannot activate template "g@.service"');
      assert.equal((await raw(fleet.url, 'DELETE', '/fleet/v1/units/g@.service')).status, 204);
    });

    it('400 for a bad nextPageToken', async () => {
      expectError(await get('/fleet/v1/units?nextPageToken=%%%'), 400, /illegal base64 data/);
      expectError(await get('/fleet/v1/units?nextPageToken=AQAAAA=='), 400, 'token limit must be 2');
      expectError(await get('/fleet/v1/state?nextPageToken=AgAAAA=='), 400, 'token page must be greater than zero');
      expectError(await get('/fleet/v1/machines?nextPageToken=AgABAA==&nextPageToken=AgABAA=='), 400, 'too many values for page token');
    });

    it('404 for unknown units and paths, 405 for other methods', async () => {
      expectError(await get('/fleet/v1/units/nope.service'), 404, 'unit does not exist');
      expectError(await raw(fleet.url, 'DELETE', '/fleet/v1/units/nope.service'), 404, 'unit does not exist');
      expectError(await get('/fleet/v1/state/nope.service'), 404, 'unit state does not exist');
      expectError(await get('/fleet/v1/nothing'), 404, '');
      for (const [method, path] of [['POST', '/fleet/v1/units'], ['DELETE', '/fleet/v1/units'], ['POST', '/fleet/v1/units/x.service'], ['PUT', '/fleet/v1/state'], ['POST', '/fleet/v1/machines']] as const) {
        assert.equal((await raw(fleet.url, method, path, [['content-type', 'application/json']], '{}')).status, 405, `${method} ${path}`);
      }
    });

    it('answers the next PUT with a forced error once (failNextPut)', async () => {
      fleet.failNextPut(500, 'fleet server unable to communicate with etcd');
      expectError(await put('h.service', { options: plain }), 500, 'fleet server unable to communicate with etcd');
      assert.equal((await put('h.service', { options: plain })).status, 201);
      assert.equal((await raw(fleet.url, 'DELETE', '/fleet/v1/units/h.service')).status, 204);
    });
  });

  it('lists machines with their primaryIP (127.0.0.<k>) and metadata, also over the unix socket', async () => {
    const first = await get('/fleet/v1/machines');
    assert.equal(first.body.machines.length, 2);
    const second = await get(`/fleet/v1/machines?nextPageToken=${encodeURIComponent(first.body.nextPageToken)}`);
    const machines = [...first.body.machines, ...second.body.machines];
    assert.deepEqual(machines.map((m: any) => [m.primaryIP, m.metadata]), [['127.0.0.1', { role: 'web' }], ['127.0.0.2', { role: 'web' }], ['127.0.0.3', { role: 'db' }]]);
    assert.ok(machines.every((m: any) => /^[0-9a-f]{32}$/.test(m.id)));
    assert.equal(second.body.nextPageToken, undefined);
    const viaSocket = await raw('http://fleet', 'GET', '/fleet/v1/machines', [], undefined, socketPath);
    assert.deepEqual(viaSocket.body.machines, first.body.machines);
  });

  it('pages units with nextPageToken like fleet: a full last page still points at an empty one', async () => {
    const names = ['p1.service', 'p2.service', 'p3.service', 'p4.service'];
    for (const n of names) assert.equal((await put(n, { options: [opt('Service', 'ExecStart', '/bin/true')] })).status, 201);
    const pages: any[] = [];
    let token: string | undefined;
    do {
      const page = await get(`/fleet/v1/units${token ? `?nextPageToken=${encodeURIComponent(token)}` : ''}`);
      pages.push(page.body);
      token = page.body.nextPageToken;
    } while (token);
    assert.deepEqual(pages.map((p) => (p.units ?? []).map((u: any) => u.name)), [['p1.service', 'p2.service'], ['p3.service', 'p4.service'], []]);
    assert.deepEqual(pages[2], {});
    for (const n of names) await raw(fleet.url, 'DELETE', `/fleet/v1/units/${n}`);
  });

  it('moves a unit inactive → loaded with a state entry hashed like fleet, and back', async () => {
    const options = [opt('Unit', 'Description', 'state machine'), opt('Service', 'ExecStart', '/bin/true'), opt('X-Fleet', 'MachineMetadata', 'role=db')];
    assert.equal((await put('sm.service', { options })).status, 201);
    assert.deepEqual((await get('/fleet/v1/units/sm.service')).body, { name: 'sm.service', options, desiredState: 'inactive', currentState: 'inactive' });
    assert.equal((await put('sm.service', { desiredState: 'loaded' })).status, 204);
    await fleet.waitFor(() => fleet.units().some((u) => u.name === 'sm.service' && u.currentState === 'loaded'));
    const unit = (await get('/fleet/v1/units/sm.service')).body;
    assert.equal(unit.machineID, fleet.machines[2]!.id, 'MachineMetadata role=db picks the db machine');
    const states = (await get('/fleet/v1/state?unitName=sm.service')).body.states;
    assert.deepEqual(states, [{
      name: 'sm.service', hash: sha1('[Unit]\nDescription=state machine\n\n[Service]\nExecStart=/bin/true\n\n[X-Fleet]\nMachineMetadata=role=db\n'),
      machineID: fleet.machines[2]!.id, systemdLoadState: 'loaded', systemdActiveState: 'inactive', systemdSubState: 'dead',
    }]);
    assert.equal((await put('sm.service', { desiredState: 'inactive' })).status, 204);
    await fleet.waitFor(() => !fleet.states().some((s) => s.name === 'sm.service'));
    assert.deepEqual((await get('/fleet/v1/units/sm.service')).body.currentState, 'inactive');
    assert.equal((await get('/fleet/v1/units/sm.service')).body.machineID, undefined);
    assert.equal((await raw(fleet.url, 'DELETE', '/fleet/v1/units/sm.service')).status, 204);
  });

  describe('units run on the Docker engine', () => {
    let site: PushedImage;
    let port: number;
    before(async () => {
      site = await publishSite('fleet-emulator-site', 'served by fleet');
      port = await freePort();
    });

    it('launches a unit: loaded → launched, activating → active/running, app on its machine primaryIP:PORT', async () => {
      const seen = new Set<string>();
      assert.equal((await put('web@1.service', { desiredState: 'launched', options: webUnit('web@1.service', pinnedName(site), port, [opt('X-Fleet', 'Conflicts', 'web@*.service')]) })).status, 201);
      await fleet.waitFor(() => {
        const u = fleet.units().find((x) => x.name === 'web@1.service');
        const s = fleet.states().find((x) => x.name === 'web@1.service');
        seen.add(`${u?.currentState}/${s?.systemdActiveState ?? '-'}/${s?.systemdSubState ?? '-'}`);
        return s?.systemdActiveState === 'active';
      }, 30_000);
      assert.ok(seen.has('loaded/inactive/dead') || seen.has('launched/activating/start-pre'), [...seen].join(' '));
      const ip = fleet.machines.find((m) => m.id === fleet.units().find((u) => u.name === 'web@1.service')!.machineID)!.primaryIP;
      assert.equal(await page(`http://${ip}:${port}/index.html`), 'served by fleet');
      assert.equal(await fleet.runningImage('web@'), pinnedName(site));
    });

    it('spreads Conflicts across machines and leaves a unit no machine can take unscheduled', async () => {
      const conflicts = (n: number) => webUnit(`web@${n}.service`, pinnedName(site), port, [opt('X-Fleet', 'Conflicts', 'web@*.service'), opt('X-Fleet', 'MachineMetadata', 'role=web')]);
      assert.equal((await put('web@2.service', { desiredState: 'launched', options: conflicts(2) })).status, 201);
      assert.equal((await put('web@3.service', { desiredState: 'launched', options: conflicts(3) })).status, 201);
      await fleet.waitFor(() => fleet.states().filter((s) => s.name.startsWith('web@') && s.systemdActiveState === 'active').length === 2, 30_000);
      const units = fleet.units().filter((u) => u.name.startsWith('web@'));
      assert.equal(new Set(units.map((u) => u.machineID).filter(Boolean)).size, 2, 'two machines, one instance each');
      const stranded = units.find((u) => !u.machineID)!;
      assert.equal(stranded.currentState, 'inactive');
      assert.equal(fleet.states().find((s) => s.name === stranded.name), undefined);
      assert.equal(await page(`http://127.0.0.2:${port}/index.html`), 'served by fleet', 'the second web machine serves too');
      for (const n of [1, 2, 3]) assert.equal((await put(`web@${n}.service`, { desiredState: 'inactive' })).status, 204);
      await fleet.waitFor(() => !fleet.states().some((s) => s.name.startsWith('web@')), 30_000);
      assert.equal(await fleet.runningImage('web@'), undefined);
      await assert.rejects(fetch(`http://127.0.0.1:${port}/index.html`));
    });

    it('fails a unit whose image the registry does not have, as a failing ExecStartPre docker pull would', async () => {
      const image = pinnedName(missingImage('fleet-emulator-site'));
      assert.equal((await put('gone.service', { desiredState: 'launched', options: webUnit('gone.service', image, port) })).status, 201);
      await fleet.waitFor(() => fleet.states().some((s) => s.name === 'gone.service' && s.systemdActiveState === 'failed'), 30_000);
      assert.deepEqual(fleet.states().find((s) => s.name === 'gone.service')!.systemdSubState, 'failed');
      assert.match(fleet.failure('gone.service') ?? '', /ExecStartPre pull: manifest .* not found/);
    });

    it('fails a unit whose container exits', async () => {
      const options = [opt('Service', 'ExecStart', `/usr/bin/docker run --rm --net host ${pinnedName(site)} sh -c "echo bye; exit 3"`)];
      assert.equal((await put('exits.service', { desiredState: 'launched', options })).status, 201);
      await fleet.waitFor(() => fleet.states().some((s) => s.name === 'exits.service' && s.systemdActiveState === 'failed'), 30_000);
      assert.match(fleet.failure('exits.service') ?? '', /exited with code 3/);
    });

    it('replaces a unit whose options change (fleet ≥ 0.13) and re-runs it with the new unit file', async () => {
      const v1 = webUnit('swap.service', pinnedName(site), port);
      assert.equal((await put('swap.service', { desiredState: 'launched', options: v1 })).status, 201);
      await fleet.waitFor(() => fleet.states().some((s) => s.name === 'swap.service' && s.systemdActiveState === 'active'), 30_000);
      const v2 = [...v1, opt('Unit', 'Description', 'second')];
      assert.equal((await put('swap.service', { desiredState: 'launched', options: v2 })).status, 201);
      await fleet.waitFor(() => fleet.states().some((s) => s.name === 'swap.service' && s.hash === unitFileHash(v2) && s.systemdActiveState === 'active'), 30_000);
      assert.equal((await get('/fleet/v1/units/swap.service')).body.options.at(-1).value, 'second');
      assert.equal((await raw(fleet.url, 'DELETE', '/fleet/v1/units/swap.service')).status, 204);
      await fleet.waitFor(() => !fleet.states().some((s) => s.name === 'swap.service'), 30_000);
    });
  });
});
