import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isSlipwayError } from '../../src/core/errors.ts';
import type { Release } from '../../src/core/ports/scheduler.ts';
import { FleetSettingsSchema } from '../../src/schedulers/fleet/settings.ts';
import { systemdWord } from '../../src/schedulers/fleet/systemd-word.ts';
import { unitFileText, unitHash, unitImage, unitLabel, unitOptions } from '../../src/schedulers/fleet/unit-file.ts';
import { instanceOf, instanceUnitName, unitPrefix } from '../../src/schedulers/fleet/unit-name.ts';
import { parseExecLine } from '../emulators/fleet/command-line.ts';

const GOLDEN = new URL('../golden/fleet-unit.json', import.meta.url);
const DIGEST = `sha256:${'4f1c'.repeat(16)}`;
/** Values a user might put in env, each one a way to break a naively written unit line. */
const TRICKY = { GREETING: 'Hello, "world" it\'s $HOME at 100% \\o/', EMPTY: '', SEMI: ';', VAR: '${PATH}', SPACES: '  two  spaces ' };

function release(settings: Record<string, unknown>): Release {
  return {
    service: 'hello',
    environment: 'production',
    image: { repository: 'registry.example.com/hello', tag: 'git-59b20b8', digest: DIGEST },
    sha: '59b20b8d5c5ff8f9ffb59cb2a1b8a1c0a0e3d7f1',
    buildId: '981',
    settings,
  };
}

const goldenSettings = { instances: 2, port: 8080, health_path: '/health', env: { LOG_LEVEL: 'debug', ...TRICKY }, machine_metadata: { role: 'web', region: 'eu-west-1' } };

function golden() {
  const r = release(goldenSettings);
  const options = unitOptions(r, FleetSettingsSchema.parse(r.settings), 2);
  return { unit: instanceUnitName(unitPrefix('hello', 'production'), 2), settings: goldenSettings, options, hash: unitHash(options) };
}

describe('fleet unit file', () => {
  it('matches test/golden/fleet-unit.json (SLIPWAY_UPDATE_GOLDEN=1 rewrites it after a deliberate change)', () => {
    const actual = `${JSON.stringify(golden(), null, 2)}\n`;
    if (process.env.SLIPWAY_UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, actual);
    assert.equal(actual, readFileSync(GOLDEN, 'utf8'));
  });

  it('runs exactly the pinned image with PORT and every env value intact, as systemd splits the line', () => {
    const { options, unit } = golden();
    const start = options.find((o) => o.name === 'ExecStart')!.value;
    assert.deepEqual(parseExecLine(start, unit), {
      ignoreFailure: false,
      argv: [
        '/usr/bin/docker', 'run', '--rm', '--name', 'hello-production-2', '--net', 'host',
        '-e', 'PORT=8080', '-e', 'EMPTY=', '-e', `GREETING=${TRICKY.GREETING}`, '-e', 'LOG_LEVEL=debug', '-e', 'SEMI=;',
        '-e', `SPACES=${TRICKY.SPACES}`, '-e', 'VAR=${PATH}', `registry.example.com/hello@${DIGEST}`,
      ],
    });
    assert.ok(!start.includes(':latest') && !start.includes(':git-'), 'never a tag');
    assert.deepEqual(parseExecLine(options.find((o) => o.name === 'ExecStartPre')!.value, unit), { ignoreFailure: true, argv: ['/usr/bin/docker', 'rm', '-f', 'hello-production-2'] });
  });

  it('spreads instances with Conflicts and keeps MachineMetadata one key=value per line', () => {
    const fleetOptions = golden().options.filter((o) => o.section === 'X-Fleet').map((o) => `${o.name}=${o.value}`);
    assert.deepEqual(fleetOptions, ['Conflicts=hello-production@*.service', 'MachineMetadata=region=eu-west-1', 'MachineMetadata=role=web']);
  });

  it('hashes the unit file the way fleet does (go-systemd serialization, SHA1)', () => {
    const options = [
      { section: 'Unit', name: 'Description', value: 'x' },
      { section: 'Service', name: 'ExecStart', value: '/bin/true' },
      { section: 'Unit', name: 'After', value: 'docker.service' },
    ];
    assert.equal(unitFileText(options), '[Unit]\nDescription=x\nAfter=docker.service\n\n[Service]\nExecStart=/bin/true\n');
    assert.equal(unitHash(options), '855df2ef5b2ccbf68888f7042a4d96d16b940996'); // printf '…' | sha1sum
    assert.notEqual(unitHash(options), unitHash([...options, { section: 'X-Fleet', name: 'Conflicts', value: 'a@*.service' }]));
  });

  it('reads back the image and a label from a unit', () => {
    const { options } = golden();
    assert.equal(unitImage(options), `registry.example.com/hello@${DIGEST}`);
    assert.equal(unitLabel(options), 'git-59b20b8');
    assert.equal(unitLabel(options.filter((o) => o.name !== 'Description')), 'hello@sha256:4f1c4f1c4f1c');
  });
});

describe('systemd words', () => {
  const cases: [string, string][] = [
    ['/usr/bin/docker', '/usr/bin/docker'],
    ['PORT=8080', 'PORT=8080'],
    ['', '""'],
    ['a b', '"a b"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['$HOME', '"$$HOME"'],
    ['100%', '"100%%"'],
    ['back\\slash', '"back\\\\slash"'],
    [';', '";"'],
    ["it's", '"it\'s"'],
  ];
  for (const [arg, word] of cases) {
    it(`${JSON.stringify(arg)} → ${word}, which systemd reads back as the same argument`, () => {
      assert.equal(systemdWord(arg), word);
      assert.deepEqual(parseExecLine(`/bin/echo ${word}`, 'x.service'), { ignoreFailure: false, argv: ['/bin/echo', arg] });
    });
  }

  for (const bad of ['two\nlines', 'cr\r', 'nul\u0000', 'tab\t']) {
    it(`refuses ${JSON.stringify(bad)} with SCHEDULER_REJECTED`, () => {
      assert.throws(() => systemdWord(bad), (err) => isSlipwayError(err, 'SCHEDULER_REJECTED'));
    });
  }
});

describe('fleet settings and names', () => {
  it('defaults instances to 1, health_path to / and env to {}', () => {
    assert.deepEqual(FleetSettingsSchema.parse({ port: 8080 }), { instances: 1, port: 8080, health_path: '/', env: {} });
  });

  const invalid: [string, Record<string, unknown>][] = [
    ['a newline in an env value', { port: 1, env: { A: 'x\ny' } }],
    ['PORT in env', { port: 1, env: { PORT: '2' } }],
    ['a bad variable name', { port: 1, env: { 'A-B': 'x' } }],
    ['zero instances', { port: 1, instances: 0 }],
    ['a metadata value with a space', { port: 1, machine_metadata: { role: 'a b' } }],
    ['a metadata value with a quote', { port: 1, machine_metadata: { role: 'a"' } }],
    ['an unknown key', { port: 1, docker_args: ['--privileged'] }],
    ['no port', {}],
  ];
  for (const [what, settings] of invalid) {
    it(`refuses ${what}`, () => assert.equal(FleetSettingsSchema.safeParse(settings).success, false));
  }

  it('refuses service or environment names that cannot name a unit', () => {
    for (const [service, environment] of [['Hello', 'production'], ['hello', 'prod uction'], ['hello;rm', 'production'], ['hello', '']]) {
      assert.throws(() => unitPrefix(service!, environment!), (err) => isSlipwayError(err, 'SCHEDULER_REJECTED'));
    }
  });

  it('finds instance numbers only in <prefix>@<N>.service', () => {
    const table: [string, number | undefined][] = [
      ['hello-production@1.service', 1], ['hello-production@12.service', 12], ['hello-production@.service', undefined],
      ['hello-production@0.service', undefined], ['hello-production@01.service', undefined], ['hello-production@a.service', undefined],
      ['hello-production-x@1.service', undefined], ['hello-production@1.socket', undefined],
    ];
    for (const [name, n] of table) assert.equal(instanceOf('hello-production', name), n, name);
  });
});
