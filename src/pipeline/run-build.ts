import { isFinal, type Build, type DeployRecord } from '../core/build.ts';
import { describeError, isSlipwayError, SlipwayError } from '../core/errors.ts';
import { imageTag, type ImageRef, type PushedImage } from '../core/image.ts';
import { previewFor, stageOrder, targetsFor, type Pipeline } from '../core/pipeline.ts';
import type { BuildLog } from '../core/ports/build-log.ts';
import type { Checkout } from '../core/ports/source-fetcher.ts';
import type { TestRunner } from '../core/ports/test-runner.ts';
import { stoppedError, throwIfStopped } from '../core/stopped.ts';
import { isolation } from './isolation.ts';
import { timeLimit } from './time-limit.ts';
import type { Attempt, BuildDeps } from './deps.ts';
import { pipelineFor, publishBuild, publishDeploy } from './publish.ts';
import { ociLabels } from './oci-labels.ts';
import { runStage, setStage, type StageOutcome } from './run-stage.ts';
import { runTests } from './run-tests.ts';
import { reasonToSkip, skipRest } from './skip-unchanged.ts';

/**
 * Runs one build: clone → build → test → push (clone → test → build → push when the tests name
 * an image of their own), then queues a deploy per environment the branch maps to. The user's failures (build step, tests) end the build as `failed`; Slipway's or a
 * system's failures end it as `error`, or are rethrown for a retry when retryable and not final.
 */
export async function runBuild(deps: BuildDeps, buildId: string, attempt: Attempt, signal?: AbortSignal): Promise<Build> {
  const build = await deps.store.get(buildId);
  if (!build) throw new SlipwayError('CONFIG_INVALID', `build ${buildId} does not exist`);
  // Its job ran again after the worker died past the outcome: the build (and its deploys) happened once.
  if (isFinal(build.state)) return build;
  const log = deps.store.log(buildId);
  const pipeline = pipelineFor(deps, build.service);
  // Cancelled while it waited in the queue: it never starts.
  const cancelled = await deps.cancels?.pending(buildId);
  if (cancelled !== undefined) return finish(deps, buildId, { state: 'cancelled', detail: cancelled }, log, pipeline);
  // SLIPWAY_BUILD_TIMEOUT (and a stop from outside) reaches every port; a stopped build is never retried.
  const limit = timeLimit(deps.timeoutMs, signal);
  let verdict: Verdict;
  try {
    if (!pipeline) throw new SlipwayError('PIPELINE_INVALID', `no pipeline defines service "${build.service}" any more`);
    await start(deps, build, pipeline, log);
    verdict = await limit.run(() => stages(deps, build, pipeline, log, limit.signal));
  } catch (thrown) {
    const err = limit.signal.aborted ? stoppedError(limit.signal, 'the build') : thrown;
    if (isSlipwayError(err) && err.retryable && !attempt.final) {
      log.line(`${describeError(err)} — will retry`);
      await log.flush();
      throw err;
    }
    const cancel = isSlipwayError(err, 'BUILD_CANCELLED');
    log.line(`${cancel ? 'Stopped' : 'Error'}: ${describeError(err)}`);
    verdict = { state: cancel ? 'cancelled' : 'error', detail: describeError(err) };
  } finally {
    limit.clear();
  }
  // Outside the try: once the outcome is posted, nothing may turn it into another one.
  return finish(deps, buildId, verdict, log, pipeline);
}

type Verdict = { state: 'passed' | 'failed' | 'error' | 'cancelled' | 'skipped'; detail: string; image?: PushedImage | ImageRef };

async function start(deps: BuildDeps, build: Build, pipeline: Pipeline, log: BuildLog): Promise<void> {
  const e = build.event;
  log.line(`Build ${build.id} of ${build.service}: ${e.kind === 'pull_request' ? `pull request #${e.pullRequest?.number}` : 'push'} to ${e.branch} at ${e.sha}`);
  if (e.pullRequest?.fork) log.line('Pull request from a fork: built and tested without secrets; never pushed or deployed.');
  const preview = previewFor(pipeline, e);
  if (preview) log.line(`Preview: once the tests pass, the image is pushed and deployed to ${preview}.`);
  // No wait for the server's "Queued": the StatusGate drops it once this build's progress is posted.
  // No status here: the first stage posts "Fetching the commit" a moment later.
  await deps.store.update(build.id, (b) => {
    b.state = 'running';
    b.startedAt ??= Date.now();
    b.detail = undefined;
    b.stages = stageOrder(pipeline).map((name) => ({ name, state: 'pending' }));
  });
}

async function stages(deps: BuildDeps, build: Build, pipeline: Pipeline, log: BuildLog, signal: AbortSignal): Promise<Verdict> {
  const { sha } = build.event;
  const repository = `${deps.registry}/${pipeline.service}`;
  // A worker new to the service gets the last pushed image's layers while the commit is fetched.
  const cacheFrom = await lastPushed(deps, pipeline, repository, log);
  if (cacheFrom) void deps.builder.prefetch?.(repository, cacheFrom, log, signal);
  const clone = await runStage(deps, build.id, 'clone', log, () => fetchSource(deps, build, pipeline, log, signal));
  if (!clone.ok) return { state: 'error', detail: clone.detail };
  // A skip word in a pull request's head commit, or nothing in `paths` changed: done, nothing built.
  const skip = await reasonToSkip(deps, build, pipeline, clone.value, log, signal);
  if (skip) return skipRest(deps, build.id, skip);
  const tests: TestRunner = { run: (request, sink) => deps.tests.run(request, sink, signal) };
  const testImage = pipeline.test?.image;
  if (testImage) {
    // Tests with an image of their own run first, on the checkout: failing ones stop the build.
    throwIfStopped(signal, 'the build');
    const tested = await runStage(deps, build.id, 'test', log, () => runTests({ tests }, { image: testImage, checkout: clone.value }, pipeline, log));
    if (!tested.ok) return { state: 'failed', detail: tested.detail };
  }
  // Pull request images are pushed only for a preview; their own tag keeps them from ever standing in for git-<sha7>.
  const pr = build.event.pullRequest;
  const image = { repository, tag: pr ? `pr${pr.number}-${sha.slice(0, 7)}` : imageTag(sha) };
  const labels = ociLabels(build, clone.value);
  throwIfStopped(signal, 'the build');
  const built = await runStage(deps, build.id, 'build', log, () =>
    userFailureAsOutcome(async () => {
      const untrusted = await isolation(pr?.fork === true, clone.value, pipeline, signal);
      return deps.builder.build({ context: clone.value.archive(signal), dockerfile: pipeline.dockerfile, image, labels, ...untrusted, cacheFrom }, log, signal);
    }),
  );
  if (!built.ok) return { state: 'failed', detail: built.detail };
  const afterBuild = () => testAndPush(deps, build, pipeline, log, signal, built.value, tests);
  if (pr?.fork !== true || !deps.builder.discard) return afterBuild();
  try {
    return await afterBuild();
  } finally {
    await deps.builder.discard(built.value, log);
  }
}

/** After the build: the tests in the built image (unless they ran before it), then the push. */
async function testAndPush(deps: BuildDeps, build: Build, pipeline: Pipeline, log: BuildLog, signal: AbortSignal, built: ImageRef, tests: TestRunner): Promise<Verdict> {
  if (!pipeline.test?.image) {
    throwIfStopped(signal, 'the build');
    const tested = await runStage(deps, build.id, 'test', log, () => runTests({ tests }, { built }, pipeline, log));
    if (!tested.ok) return { state: 'failed', detail: tested.detail, image: built };
  }
  if (build.event.kind === 'pull_request' && !previewFor(pipeline, build.event)) {
    const detail = build.event.pullRequest?.fork ? 'pull requests from forks are never pushed' : 'pull requests are not pushed (the pipeline has no preview)';
    await deps.store.update(build.id, (b) => setStage(b, 'push', { state: 'skipped', detail }));
    return { state: 'passed', detail: 'Image built and tests passed', image: built };
  }
  throwIfStopped(signal, 'the build');
  const pushed = await runStage(deps, build.id, 'push', log, async () => ok(await deps.pusher.push(built, log, signal)));
  if (!pushed.ok) return { state: 'error', detail: pushed.detail };
  return { state: 'passed', detail: `Tests passed; pushed ${pushed.value.tag}`, image: pushed.value };
}

/**
 * The service's last pushed image, which a worker that never built the service takes its build
 * cache from. Pushed images are always trusted builds' (fork pull requests are never pushed), so
 * they may serve as cache for any build. Only images of the repository this build is named in:
 * the registry's credentials would not reach one named elsewhere. A store that cannot tell is a
 * log line, not a failed build.
 */
async function lastPushed(deps: BuildDeps, pipeline: Pipeline, repository: string, log: BuildLog): Promise<PushedImage | undefined> {
  try {
    const last = await deps.store.lastPushed(pipeline.service);
    return last?.repository === repository ? last : undefined;
  } catch (err) {
    log.line(`Build cache: could not look up the last pushed image of ${pipeline.service}: ${describeError(err)}`);
    return undefined;
  }
}

async function fetchSource(deps: BuildDeps, build: Build, pipeline: Pipeline, log: BuildLog, signal: AbortSignal): Promise<StageOutcome<Checkout>> {
  const e = build.event;
  const cloneUrl = pipeline.cloneUrl ?? e.cloneUrl;
  const checkout = await deps.source.fetch({ cloneUrl, sha: e.sha, alternateUrls: cloneUrl === e.cloneUrl ? [] : [e.cloneUrl] }, log, signal);
  if (!e.message || !e.author) {
    await deps.store.update(build.id, (b) => {
      b.event = { ...b.event, message: b.event.message ?? checkout.message.split('\n', 1)[0], author: b.event.author ?? checkout.author };
    });
  }
  return ok(checkout);
}

async function finish(deps: BuildDeps, buildId: string, outcome: Verdict, log: BuildLog, pipeline?: Pipeline): Promise<Build> {
  // One decision: a cancel request that came before this seal wins (nothing deploys, no image is
  // recorded, even if the push went through); one that comes after it is refused.
  const cancelled = await deps.cancels?.seal(buildId);
  const verdict: Verdict = cancelled !== undefined ? { state: 'cancelled', detail: cancelled } : outcome;
  log.line(`Build ${verdict.state}: ${verdict.detail}`);
  const build = await deps.store.update(buildId, (b) => {
    if (verdict.image) b.image = { repository: verdict.image.repository, tag: verdict.image.tag, digest: verdict.image.digest };
  });
  // Deploy records exist before the build reads as finished, so nobody sees "passed, no deploys" in between.
  const deploys = verdict.state === 'passed' && pipeline ? await recordDeploys(deps, build, pipeline) : [];
  // The log is whole before the build reads as finished: a follower stops reading then.
  await log.flush();
  const done = await deps.store.update(buildId, (b) => {
    b.state = verdict.state;
    b.detail = verdict.detail;
    b.finishedAt = Date.now();
  });
  await publishBuild(deps, done);
  for (const deploy of deploys) {
    // The pending status goes first: the deploy job may post its outcome a moment after enqueueing.
    await publishDeploy(deps, done, deploy);
    await deps.enqueueDeploy(buildId, deploy).catch(async (err: unknown) => {
      const failed: DeployRecord = { ...deploy, state: 'error', detail: `could not queue the deploy: ${describeError(err)}`, finishedAt: Date.now() };
      log.line(`[${deploy.environment}] ${failed.detail}`);
      await deps.store.setDeploy(buildId, failed).catch(() => undefined);
      await publishDeploy(deps, done, failed);
    });
  }
  await log.flush();
  return done;
}

/** The deploys a passed build starts: a push's, one per environment its branch maps to; a pull request's, its preview. */
async function recordDeploys(deps: BuildDeps, build: Build, pipeline: Pipeline): Promise<DeployRecord[]> {
  if (!build.image?.digest) return [];
  const preview = previewFor(pipeline, build.event);
  if (preview && pipeline.preview) return [(await deps.store.addDeploy(build.id, { environment: preview, scheduler: pipeline.preview.scheduler })).deploy];
  if (build.event.kind !== 'push') return [];
  const deploys: DeployRecord[] = [];
  for (const t of targetsFor(pipeline, build.event.branch)) {
    deploys.push((await deps.store.addDeploy(build.id, { environment: t.environment, scheduler: t.scheduler })).deploy);
  }
  return deploys;
}

/** A failing build step is the user's failure, a result rather than an error. */
async function userFailureAsOutcome<T>(work: () => Promise<T>): Promise<StageOutcome<T>> {
  try {
    return ok(await work());
  } catch (err) {
    if (isSlipwayError(err, 'BUILD_FAILED')) return { ok: false, detail: `Image build failed: ${err.message}` };
    throw err;
  }
}

function ok<T>(value: T): StageOutcome<T> {
  return { ok: true, value };
}
