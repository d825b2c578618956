import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { z } from 'zod';
import { SlipwayError } from '../core/errors.ts';
import type { DeployTarget, Pipeline } from '../core/pipeline.ts';
import { formatIssues } from './format-issues.ts';
import { DeployEntrySchema, PipelineSchema } from './pipeline-schema.ts';
import { parsePreview } from './preview-block.ts';
import { schedulerBlock } from './scheduler-block.ts';
import { closestKey, unknownKey } from './unknown-key.ts';

/** Each scheduler's own block schema, by scheduler name. */
export type SettingsSchemas = Readonly<Record<string, z.ZodType<Record<string, unknown>>>>;

/**
 * Loads every `*.yml`/`*.yaml` file of `dir` as a pipeline, validating each against the pipeline
 * schema, each deploy target's block against its scheduler's schema and a `preview:` block against
 * its scheduler's preview schema (`previewSchemas`: the schedulers that can remove a preview).
 * Throws PIPELINE_INVALID naming file, key and reason for every problem found, so one start shows them all.
 */
export function loadPipelines(dir: string, schemas: SettingsSchemas, previewSchemas: SettingsSchemas = {}): readonly Pipeline[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch (err) {
    throw new SlipwayError('PIPELINE_INVALID', `Cannot read the pipelines folder ${dir}: ${(err as Error).message}. Set SLIPWAY_PIPELINES_DIR.`, { cause: err });
  }
  const problems: string[] = [];
  const pipelines: Pipeline[] = [];
  for (const name of files) {
    const file = join(dir, name);
    const result = parsePipeline(file, readFileSync(file, 'utf8'), schemas, previewSchemas);
    if ('problems' in result) problems.push(...result.problems);
    else pipelines.push(result.pipeline);
  }
  problems.push(...duplicateServices(pipelines), ...collidingNames(pipelines));
  if (problems.length > 0) {
    throw new SlipwayError('PIPELINE_INVALID', `Invalid pipeline definitions:\n${problems.join('\n')}`);
  }
  return Object.freeze(pipelines);
}

/** Validates one pipeline file's text. Pure: `file` is only used in messages. */
export function parsePipeline(
  file: string,
  text: string,
  schemas: SettingsSchemas,
  previewSchemas: SettingsSchemas = {},
): { pipeline: Pipeline } | { problems: string[] } {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    return { problems: [`${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`] };
  }
  const misspelled = unknownEntryKeys(raw, Object.keys(schemas));
  const parsed = PipelineSchema.safeParse(raw);
  if (!parsed.success || misspelled.length > 0) {
    // A key left out because it was misspelled is named once, as the misspelling.
    const meant = new Set(misspelled.map((m) => m.meant));
    const issues = parsed.success ? [] : parsed.error.issues.filter((i) => !(i.code === 'invalid_type' && i.input === undefined && meant.has(i.path.join('.'))));
    return { problems: [...misspelled.map((m) => `${file}: ${m.problem}`), ...prefixed(file, formatIssues(issues, '', PipelineSchema))] };
  }
  const p = parsed.data;
  const problems: string[] = [];
  const deploy = p.deploy.flatMap((entry, i): DeployTarget[] => {
    const { branch, environment, scheduler, url, approval, ...blocks } = entry;
    const schema = schemas[scheduler];
    if (!schema) {
      problems.push(`${file}: deploy.${i}.scheduler: unknown scheduler "${scheduler}"; one of: ${Object.keys(schemas).join(', ')}`);
      return [];
    }
    const block = schedulerBlock(file, `deploy.${i}`, scheduler, schema, blocks);
    if ('problems' in block) {
      problems.push(...block.problems);
      return [];
    }
    return [{ branch, environment, scheduler, ...(url ? { url } : {}), ...(approval ? { approval } : {}), settings: block.settings }];
  });
  const seen = new Set<string>();
  deploy.forEach((t, i) => {
    const key = `${t.branch} → ${t.environment}`;
    if (seen.has(key)) problems.push(`${file}: deploy.${i}: branch "${t.branch}" deploys to "${t.environment}" twice`);
    seen.add(key);
  });
  const preview = p.preview && parsePreview(file, p.preview, previewSchemas, deploy);
  if (preview && 'problems' in preview) problems.push(...preview.problems);
  if (problems.length > 0) return { problems };
  return {
    pipeline: {
      service: p.service,
      repository: p.repository,
      cloneUrl: p.clone_url,
      dockerfile: p.dockerfile,
      test: p.test,
      deploy,
      ...(p.paths ? { paths: Object.freeze(p.paths) } : {}),
      ...(preview && 'preview' in preview ? { preview: preview.preview } : {}),
      file,
    },
  };
}

function prefixed(file: string, lines: string): string[] {
  return lines === '' ? [] : lines.split('\n').map((l) => `${file}: ${l.trim()}`);
}

/**
 * Keys of deploy entries that are neither an entry key nor a scheduler's block (a deploy entry
 * takes any scheduler's name, so the schema cannot refuse them): each named with the closest key
 * it may have meant, and the path of that key (`deploy.0.environment`).
 */
function unknownEntryKeys(raw: unknown, schedulers: readonly string[]): { problem: string; meant?: string }[] {
  const entries = (raw as { deploy?: unknown } | null)?.deploy;
  if (!Array.isArray(entries)) return [];
  const known = [...Object.keys(DeployEntrySchema.shape), ...schedulers];
  return entries.flatMap((entry, i) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return [];
    return Object.keys(entry)
      .filter((key) => !known.includes(key))
      .map((key) => {
        const close = closestKey(key, known);
        return { problem: `deploy.${i}.${key}: ${unknownKey(key, known)}`, ...(close ? { meant: `deploy.${i}.${close}` } : {}) };
      });
  });
}

function duplicateServices(pipelines: readonly Pipeline[]): string[] {
  const byService = new Map<string, string>();
  return pipelines.flatMap((p) => {
    const other = byService.get(p.service);
    byService.set(p.service, p.file);
    return other ? [`${p.file}: service: "${p.service}" is already defined in ${other}`] : [];
  });
}

/**
 * Schedulers name what they run `<service>-<environment>`; two different pairs that give one name
 * (`shop-eu`/`prod` and `shop`/`eu-prod`) would deploy over each other while their locks differ.
 */
function collidingNames(pipelines: readonly Pipeline[]): string[] {
  const byName = new Map<string, { service: string; environment: string; file: string }>();
  const problems: string[] = [];
  for (const p of pipelines) {
    for (const environment of new Set(p.deploy.map((t) => t.environment))) {
      const name = `${p.service}-${environment}`;
      const other = byName.get(name);
      if (!other) byName.set(name, { service: p.service, environment, file: p.file });
      else if (other.service !== p.service) {
        problems.push(`${p.file}: service "${p.service}" in environment "${environment}" and service "${other.service}" in environment "${other.environment}" (${other.file}) would both be named "${name}" by the scheduler; rename a service or an environment`);
      }
    }
  }
  return problems;
}
