import type { z } from 'zod';
import { keysAt } from './schema-keys.ts';
import { unknownKey } from './unknown-key.ts';

/**
 * One line per problem: `path: message`, in the order the schema found them. Given the `schema`,
 * a key it does not take is named with the closest one it does ("did you mean …?").
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix = '', schema?: z.ZodType): string {
  const at = (path: readonly PropertyKey[]) => [prefix, ...path.map(String)].filter(Boolean).join('.');
  return issues
    .flatMap((issue) => {
      const known = issue.code === 'unrecognized_keys' && schema ? keysAt(schema, issue.path) : undefined;
      if (issue.code === 'unrecognized_keys' && known) return issue.keys.map((key) => `  ${at([...issue.path, key])}: ${unknownKey(key, known)}`);
      return [`  ${at(issue.path) || '(root)'}: ${issue.message}`];
    })
    .join('\n');
}
