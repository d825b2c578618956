import type { z } from 'zod';

/** One line per problem: `path: message`, in the order the schema found them. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): string {
  return issues
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
      return `  ${path || '(root)'}: ${issue.message}`;
    })
    .join('\n');
}
