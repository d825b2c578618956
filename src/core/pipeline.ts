import { STAGES, type StageName } from './build.ts';
import { branchMatches } from './branch-pattern.ts';
import { previewEnvironment, previewNumber } from './preview.ts';
import type { SourceEvent } from './source-event.ts';

/**
 * A validated pipeline definition: one per service, loaded from a YAML file at start.
 * Scheduler blocks stay opaque here; each adapter validates and interprets its own block.
 */
export interface Pipeline {
  /** image repository name and the identity of the service */
  readonly service: string;
  /** GitHub `owner/name` whose events trigger this pipeline */
  readonly repository: string;
  readonly cloneUrl?: string;
  readonly dockerfile: string;
  readonly test?: TestSpec;
  readonly deploy: readonly DeployTarget[];
  /** globs of the files that matter (src/core/glob.ts): a push that changes none of them is skipped */
  readonly paths?: readonly string[];
  /** `preview:`: each open pull request from the repository itself runs as environment `pr-<number>` */
  readonly preview?: PreviewTarget;
  /** the file it came from, for messages */
  readonly file: string;
}

export interface TestSpec {
  /**
   * The image to test in, exactly as the pipeline names it. Unset: the image just built, after
   * the build. Set: this image, before the build, with the commit's tree copied in.
   */
  readonly image?: string;
  readonly command: readonly string[];
  /** seconds before the test container is killed */
  readonly timeout: number;
  /** bytes; 0 = engine default */
  readonly memory: number;
  /** CPUs, fractional allowed; 0 = engine default */
  readonly cpus: number;
}

export interface DeployTarget {
  /** a branch name or a glob of them (`release/*`); a name without wildcards means exactly that branch */
  readonly branch: string;
  readonly environment: string;
  readonly scheduler: string;
  /** where the environment answers: the GitHub deployment's `environment_url` */
  readonly url?: string;
  /** `required`: a push's deploy here waits for `slipway approve` (deploys a person asks for never wait) */
  readonly approval?: 'required';
  /** the adapter's own block, already validated by that adapter's schema */
  readonly settings: Readonly<Record<string, unknown>>;
}

/**
 * A pipeline's `preview:` block: a deploy entry without `branch` (every pull request from the
 * repository itself) or `environment` (`pr-<number>`), on a scheduler that can remove what it ran.
 */
export interface PreviewTarget {
  readonly scheduler: string;
  /** environment_url; `{number}` is the pull request's number, `{port}` the preview's own port */
  readonly url?: string;
  /** the adapter's own preview block, already validated by that adapter's preview schema */
  readonly settings: Readonly<Record<string, unknown>>;
}

/** The order a pipeline's stages run in: tests before the build when they have an image of their own. */
export function stageOrder(pipeline: Pick<Pipeline, 'test'>): readonly StageName[] {
  return pipeline.test?.image ? ['clone', 'test', 'build', 'push'] : STAGES;
}

/** The entries a push to `branch` deploys with: per environment, the first whose branch pattern matches. */
export function targetsFor(pipeline: Pipeline, branch: string): readonly DeployTarget[] {
  const environments = new Set<string>();
  return pipeline.deploy.filter((t) => {
    if (environments.has(t.environment) || !branchMatches(t.branch, branch)) return false;
    environments.add(t.environment);
    return true;
  });
}

/**
 * The entry a build of `branch` deploys to `environment` with. A rollback (`anyBranch`) puts a
 * build back wherever the environment is, so it falls back to the environment's first entry.
 */
export function targetFor(pipeline: Pipeline, environment: string, branch: string, anyBranch = false): DeployTarget | undefined {
  const entries = pipeline.deploy.filter((t) => t.environment === environment);
  return entries.find((t) => branchMatches(t.branch, branch)) ?? (anyBranch ? entries[0] : undefined) ?? previewTargetFor(pipeline, environment);
}

/** The preview block as the entry that deploys `environment` (`pr-<number>`), or undefined when it is no preview of this pipeline. */
export function previewTargetFor(pipeline: Pipeline, environment: string): DeployTarget | undefined {
  const { preview } = pipeline;
  if (!preview || previewNumber(environment) === undefined) return undefined;
  return { branch: '**', environment, scheduler: preview.scheduler, ...(preview.url ? { url: preview.url } : {}), settings: preview.settings };
}

/** Why (service, environment) is not a deploy target the pipelines define, or undefined when it is. */
export function unknownTarget(pipelines: readonly Pipeline[], service: string, environment: string): string | undefined {
  const pipeline = pipelines.find((p) => p.service === service);
  if (!pipeline) return `no pipeline defines service "${service}" (services: ${pipelines.map((p) => p.service).join(', ') || 'none'})`;
  const environments = [...new Set(pipeline.deploy.map((t) => t.environment))];
  if (!environments.includes(environment)) {
    return `${service} does not deploy to "${environment}" (environments: ${environments.join(', ') || 'none'})`;
  }
  return undefined;
}

/** The preview environment a build of `event` deploys to: a pull request from the repository itself (never a fork's), when the pipeline has previews. */
export function previewFor(pipeline: Pick<Pipeline, 'preview'>, event: SourceEvent): string | undefined {
  const pr = event.kind === 'pull_request' ? event.pullRequest : undefined;
  return pipeline.preview && pr && !pr.fork ? previewEnvironment(pr.number) : undefined;
}
