import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Release } from '../../src/core/ports/scheduler.ts';
import { jobId, nomadJob } from '../../src/schedulers/nomad/job-spec.ts';
import { NomadSettingsSchema } from '../../src/schedulers/nomad/settings.ts';

const GOLDEN = new URL('../golden/nomad-job.json', import.meta.url);

/** The release and block of the golden file: every key of the `nomad:` block given. */
const release = (settings: Record<string, unknown>): Release => ({
  service: 'hello',
  environment: 'production',
  image: { repository: 'registry.example.com/acme/hello', tag: 'git-59b20b8', digest: `sha256:4f1c${'0123456789abcdef'.repeat(4).slice(4)}` },
  sha: '59b20b8d5c5ff8f9ffb59cb2a1b8a1c0a0e3d7f1',
  buildId: '42',
  settings,
});
const block = {
  datacenters: ['dc1', 'dc2'],
  count: 2,
  port: 8080,
  health_path: '/health',
  resources: { cpu: 200, memory: 256 },
  env: { GREETING: 'hello', PORT: 'overridden by the port' },
  constraints: [{ attribute: '${attr.kernel.name}', value: 'linux' }, { attribute: '${meta.tier}', operator: 'regexp', value: '^web' }],
  update: { max_parallel: 1, min_healthy_time: 10, healthy_deadline: 300, progress_deadline: 600, auto_revert: true, canary: 0 },
};

describe('nomad job spec', () => {
  it('matches the golden file (test/golden/nomad-job.json), byte for byte', () => {
    const job = nomadJob(release(block), NomadSettingsSchema.parse(block));
    assert.equal(`${JSON.stringify(job, null, 2)}\n`, readFileSync(GOLDEN, 'utf8'));
  });

  it('runs the pinned digest, never a tag, and durations are integer nanoseconds', () => {
    const job = nomadJob(release(block), NomadSettingsSchema.parse(block)).Job as any;
    const task = job.TaskGroups[0].Tasks[0];
    assert.match(task.Config.image, /^registry\.example\.com\/acme\/hello@sha256:[0-9a-f]{64}$/);
    for (const [key, value] of Object.entries(job.TaskGroups[0].Update)) {
      if (/Time|Deadline/.test(key)) assert.ok(Number.isSafeInteger(value) && (value as number) % 1_000_000_000 === 0, key);
    }
    assert.equal(task.Env.PORT, '8080');
  });

  it('defaults: job <service>-<environment>, dc1, one instance, check on /, 100 MHz, 128 MB, no constraints', () => {
    const job = nomadJob(release({ port: 9000 }), NomadSettingsSchema.parse({ port: 9000 })).Job as any;
    assert.equal(job.ID, 'hello-production');
    assert.equal(job.Name, 'hello-production');
    assert.deepEqual(job.Datacenters, ['dc1']);
    assert.equal('Constraints' in job, false);
    const group = job.TaskGroups[0];
    assert.equal(group.Count, 1);
    assert.equal(group.Services[0].Checks[0].Path, '/');
    assert.deepEqual(group.Tasks[0].Resources, { CPU: 100, MemoryMB: 128 });
    assert.deepEqual(group.Update, {
      MaxParallel: 1, HealthCheck: 'checks', MinHealthyTime: 10e9, HealthyDeadline: 300e9, ProgressDeadline: 600e9,
      AutoRevert: true, Canary: 0, AutoPromote: false,
    });
  });

  it('canaries are promoted automatically unless auto_promote says otherwise', () => {
    const spec = (update: Record<string, unknown>) => (nomadJob(release({ port: 1 }), NomadSettingsSchema.parse({ port: 1, update })).Job as any).TaskGroups[0].Update;
    assert.equal(spec({ canary: 1 }).AutoPromote, true);
    assert.equal(spec({ canary: 1, auto_promote: false }).AutoPromote, false);
  });

  it('the spec fingerprint changes with the image and the settings, not with the build', () => {
    const settings = NomadSettingsSchema.parse({ port: 8080 });
    const meta = (r: Release, s = settings) => nomadJob(r, s).Job.Meta;
    const base = release({});
    assert.equal(meta(base).slipway_spec, meta({ ...base, buildId: '43', sha: 'f'.repeat(40) }).slipway_spec);
    assert.notEqual(meta(base).slipway_spec, meta({ ...base, image: { ...base.image, digest: `sha256:${'1'.repeat(64)}` } }).slipway_spec);
    assert.notEqual(meta(base).slipway_spec, meta(base, NomadSettingsSchema.parse({ port: 8080, count: 3 })).slipway_spec);
  });

  it('nomad.job names the job; the service name keeps to letters, digits and dashes', () => {
    const settings = NomadSettingsSchema.parse({ port: 1, job: 'web' });
    assert.equal(jobId({ service: 'a', environment: 'b' }, settings), 'web');
    const job = nomadJob({ ...release({}), service: 'web.api_v2' }, settings).Job as any;
    assert.equal(job.TaskGroups[0].Services[0].Name, 'web-api-v2-production');
  });
});

describe('nomad settings', () => {
  const problems = (block: Record<string, unknown>) => {
    const result = NomadSettingsSchema.safeParse(block);
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  const cases: [string, Record<string, unknown>, RegExp | undefined][] = [
    ['the DESIGN example', { datacenters: ['dc1'], count: 2, port: 8080, health_path: '/health', resources: { cpu: 200, memory: 256 } }, undefined],
    ['no port', {}, /^port: /],
    ['a port out of range', { port: 70000 }, /^port: /],
    ['no datacenter', { port: 1, datacenters: [] }, /^datacenters: must name at least one datacenter/],
    ['count 0', { port: 1, count: 0 }, /^count: /],
    ['a health path without /', { port: 1, health_path: 'health' }, /^health_path: must start with \//],
    ['memory under Nomad\'s minimum', { port: 1, resources: { memory: 5 } }, /^resources\.memory: /],
    ['an unknown key', { port: 1, replicas: 2 }, /Unrecognized key/],
    ['min_healthy_time not below healthy_deadline', { port: 1, update: { min_healthy_time: 30, healthy_deadline: 30 } }, /^update\.min_healthy_time: must be less than healthy_deadline \(30s\)/],
    ['healthy_deadline not below progress_deadline', { port: 1, update: { healthy_deadline: 700 } }, /^update\.healthy_deadline: must be less than progress_deadline \(600s\)/],
    ['auto_promote without canaries', { port: 1, update: { auto_promote: true } }, /^update\.auto_promote: needs canary greater than 0/],
    ['a constraint without a value', { port: 1, constraints: [{ attribute: '${attr.kernel.name}' }] }, /^constraints\.0\.value: needs a value/],
    ['is_set needs no value', { port: 1, constraints: [{ attribute: '${meta.rack}', operator: 'is_set' }] }, undefined],
    ['an unknown operator', { port: 1, constraints: [{ attribute: 'x', operator: 'like', value: 'y' }] }, /^constraints\.0\.operator: /],
    ['an env name that is not a variable', { port: 1, env: { 'NOT-OK': 'x' } }, /^env\.NOT-OK: /],
  ];
  for (const [name, block, expected] of cases) {
    it(name, () => {
      const found = problems(block);
      if (!expected) assert.deepEqual(found, []);
      else assert.ok(found.some((p) => expected.test(p)), found.join('\n'));
    });
  }
});
