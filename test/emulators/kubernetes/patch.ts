// The three patch types a PATCH may carry (reference §11, "Patching the image"), applied the way
// the API server does: strategic merge (lists with a merge key merge by it), JSON merge (RFC 7386,
// lists replaced whole) and JSON patch (RFC 6902; a failing op is 422 Invalid).
import { badRequest, KubeError, PATCH_TYPES, unsupportedMediaType } from './status-error.ts';

type Json = any;

/** Lists that strategic merge merges by a key (`patchMergeKey` in kubernetes/api core/v1/types.go). */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name', initContainers: 'name', ephemeralContainers: 'name', env: 'name', ports: 'containerPort',
  volumes: 'name', volumeMounts: 'mountPath', volumeDevices: 'devicePath', imagePullSecrets: 'name', tolerations: 'key',
  hostAliases: 'ip', topologySpreadConstraints: 'topologyKey', ownerReferences: 'uid',
};

/** The patched copy of `target`, or a KubeError answering the request. */
export function applyPatch(contentType: string | undefined, target: Json, raw: string): Json {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/apply-patch+yaml') throw badRequest('server-side apply is not emulated');
  if (!PATCH_TYPES.includes(type)) throw unsupportedMediaType(PATCH_TYPES);
  let patch: Json;
  try {
    patch = JSON.parse(raw);
  } catch (err) {
    throw badRequest(`error decoding patch: ${(err as Error).message}`);
  }
  const copy = structuredClone(target);
  if (type === 'application/json-patch+json') {
    if (!Array.isArray(patch)) throw badRequest('error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp');
    return jsonPatch(copy, patch);
  }
  if (!isObject(patch)) throw badRequest(`error decoding patch: json: cannot unmarshal ${Array.isArray(patch) ? 'array' : typeof patch} into Go value of type map[string]interface {}`);
  return type === 'application/merge-patch+json' ? mergePatch(copy, patch) : strategicMerge(copy, patch);
}

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386: objects merge, `null` deletes, everything else (lists too) replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: Record<string, Json> = isObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** Strategic merge: like merge patch, but lists with a merge key merge entry by entry. */
function strategicMerge(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: Record<string, Json> = isObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$setElementOrder/') || key === '$retainKeys') continue;
    if (value === null) delete out[key];
    else if (Array.isArray(value) && MERGE_KEYS[key]) out[key] = mergeList(Array.isArray(out[key]) ? out[key] : [], value, MERGE_KEYS[key]);
    else out[key] = strategicMerge(out[key], value);
  }
  return out;
}

function mergeList(current: Json[], patch: Json[], mergeKey: string): Json[] {
  const out = [...current];
  for (const entry of patch) {
    if (!isObject(entry) || entry[mergeKey] === undefined) {
      throw new KubeError(500, 'InternalError', `map: ${JSON.stringify(entry)} does not contain declared merge key: ${mergeKey}`);
    }
    const at = out.findIndex((e) => isObject(e) && e[mergeKey] === entry[mergeKey]);
    if (entry.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
    } else if (at >= 0) out[at] = strategicMerge(out[at], entry);
    else out.push(strategicMerge({}, entry));
  }
  return out;
}

const rejected = () => new KubeError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});

/** RFC 6902, op by op; any op that cannot apply rejects the whole patch. */
function jsonPatch(doc: Json, ops: Json[]): Json {
  for (const op of ops) {
    if (!isObject(op) || typeof op.path !== 'string') throw rejected();
    switch (op.op) {
      case 'test':
        if (JSON.stringify(read(doc, op.path)) !== JSON.stringify(op.value)) throw rejected();
        break;
      case 'replace':
        read(doc, op.path);
        doc = write(doc, op.path, op.value, 'replace');
        break;
      case 'add':
        doc = write(doc, op.path, op.value, 'add');
        break;
      case 'remove':
        read(doc, op.path);
        doc = write(doc, op.path, undefined, 'remove');
        break;
      case 'copy':
      case 'move': {
        const value = structuredClone(read(doc, String(op.from)));
        if (op.op === 'move') doc = write(doc, String(op.from), undefined, 'remove');
        doc = write(doc, op.path, value, 'add');
        break;
      }
      default:
        throw rejected();
    }
  }
  return doc;
}

const tokens = (path: string) => (path === '' ? [] : path.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~')));

function read(doc: Json, path: string): Json {
  let at = doc;
  for (const t of tokens(path)) {
    if (at === null || typeof at !== 'object' || !(t in at)) throw rejected();
    at = at[t];
  }
  return at;
}

function write(doc: Json, path: string, value: Json, mode: 'add' | 'replace' | 'remove'): Json {
  const parts = tokens(path);
  if (parts.length === 0) return value;
  const last = parts.pop()!;
  const parent = read(doc, `/${parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`.replace(/^\/$/, ''));
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(i) || i < 0 || i > parent.length - (mode === 'add' ? 0 : 1)) throw rejected();
    if (mode === 'add') parent.splice(i, 0, value);
    else if (mode === 'replace') parent[i] = value;
    else parent.splice(i, 1);
  } else if (isObject(parent)) {
    if (mode === 'remove') delete parent[last];
    else parent[last] = value;
  } else throw rejected();
  return doc;
}
