import { z } from 'zod';

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmg]?)i?b?$/i;
const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** A size in a pipeline file: `512m`, `1g`, `1.5GiB` or a number of bytes; parsed to bytes. */
export const ByteSize = z.union([z.number().int().min(0), z.string().regex(SIZE, 'must be a size such as 512m or 1g')]).transform((v) => {
  if (typeof v === 'number') return v;
  const [, n, unit] = SIZE.exec(v.trim()) as RegExpExecArray;
  return Math.round(Number(n) * (UNITS[(unit ?? '').toLowerCase()] ?? 1));
});
