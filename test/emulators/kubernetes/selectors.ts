// Label selectors (`app=web,pod-template-hash=5d4c9b7f6`, `a!=b`, `a`, `!a`) and field selectors
// (`metadata.name=web`, `involvedObject.name=…`, `reason=…`, `type=…`) on list requests.

type Json = any;

const TERM = /^(!?)([^=!]+?)(?:(==|=|!=)(.*))?$/;

export function matchesLabels(labels: Readonly<Record<string, string>> | undefined, selector: string): boolean {
  return terms(selector).every((t) => {
    const m = TERM.exec(t);
    if (!m) return false;
    const [, not, key, op, value] = m;
    const have = labels?.[key!];
    if (!op) return not ? have === undefined : have !== undefined;
    return op === '!=' ? have !== value : have === value;
  });
}

export function matchesFields(obj: Json, selector: string): boolean {
  return terms(selector).every((t) => {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(t);
    if (!m) return false;
    const [, path, op, value] = m;
    const have = path!.split('.').reduce((o: Json, k) => (o == null ? undefined : o[k]), obj);
    const text = have === undefined || have === null ? '' : String(have);
    return op === '!=' ? text !== value : text === value;
  });
}

const terms = (selector: string) => selector.split(',').map((t) => t.trim()).filter(Boolean);
