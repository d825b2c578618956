import { z } from 'zod';
import { ByteSize } from './byte-size.ts';
import { parseImageReference } from '../core/image-reference.ts';
import { isAcceptableCloneUrl, isValidBranchName } from '../core/refs.ts';
import { isHttpUrl } from '../core/http-url.ts';
import { pathPatternProblem } from '../core/paths-filter.ts';
import { previewUrlProblem } from '../core/preview.ts';

/** A branch name, or a glob of them (src/core/glob.ts): `*` stands for any run of characters but `/`. */
const BranchPattern = z
  .string()
  .refine((b) => isValidBranchName(b.replace(/[*?]/g, 'x')), 'is not a valid git branch name or glob of them (e.g. main, release/*, feature/**)');

const PathPattern = z.string().superRefine((pattern, ctx) => {
  const problem = pathPatternProblem(pattern);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const CloneUrl = z.string().refine(isAcceptableCloneUrl, 'must be an https://, ssh://, git://, file:// or user@host:path URL');

export const TestSchema = z.strictObject({
  image: z
    .string()
    .refine((name) => parseImageReference(name) !== undefined, 'must be an image name such as node:20.11 or registry.example.com/ci/tools:3')
    .optional(),
  command: z.array(z.string()).min(1, 'must name a program, e.g. ["sh", "/check.sh"]'),
  timeout: z.number().int().min(1).max(86_400).default(600),
  memory: ByteSize.default(1024 ** 3),
  cpus: z.number().min(0).max(64).default(1),
});

export const DeployEntrySchema = z.looseObject({
  branch: BranchPattern,
  environment: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be lower-case letters, digits and dashes'),
  scheduler: z.string().min(1),
  url: z.string().refine(isHttpUrl, 'must be an http:// or https:// URL, e.g. https://hello.example.com').optional(),
  approval: z.literal('required', 'must be "required" (or left out: no approval)').optional(),
});

/** `preview:`: a deploy entry's shape without `branch` and `environment`; the scheduler's block is checked by its preview schema. */
export const PreviewSchema = z.looseObject({
  scheduler: z.string().min(1),
  url: z
    .string()
    .superRefine((url, ctx) => {
      const problem = previewUrlProblem(url);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
});

export const PipelineSchema = z.strictObject({
  service: z.string().regex(/^[a-z0-9]+([._-][a-z0-9]+)*$/, 'must be a lower-case image name such as hello or web-api').max(128),
  repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be a GitHub owner/name'),
  clone_url: CloneUrl.optional(),
  dockerfile: z
    .string()
    .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'must be a path inside the repository')
    .default('Dockerfile'),
  test: TestSchema.optional(),
  deploy: z.array(DeployEntrySchema).default([]),
  /** globs of the files that matter: a push that changes none of them is skipped */
  paths: z.array(PathPattern).min(1, 'must name at least one path glob, e.g. [services/hello/**] (or leave paths out)').optional(),
  preview: PreviewSchema.optional(),
});
