import type { z } from 'zod';

type Def = { type?: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; innerType?: z.ZodType; in?: z.ZodType };

/**
 * The keys the object schema at `path` inside `schema` takes (through optional, default, nullable,
 * pipe and array wrappers), or undefined when there is no object there. What an unknown key is
 * compared with.
 */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let at: z.ZodType | undefined = unwrap(schema);
  for (const segment of path) {
    const def: Def | undefined = at && defOf(at);
    if (def?.type === 'object' && typeof segment === 'string') at = def.shape?.[segment];
    else if (def?.type === 'array' && typeof segment === 'number') at = def.element;
    else return undefined;
    at = at && unwrap(at);
  }
  const def: Def | undefined = at && defOf(at);
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : undefined;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let def = defOf(s); def.innerType || (def.type === 'pipe' && def.in); def = defOf(s)) s = (def.innerType ?? def.in)!;
  return s;
}
