/**
 * The dashboard page. Everything user-derived is inserted with textContent, never innerHTML.
 * It polls the JSON API: the list every 3 s, an open build's log every second until it finishes.
 * Without credentials the API answers 401, and the page offers GitHub sign-in when it is set up.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Slipway</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
 header{background:#24292f;color:#fff;padding:10px 20px;font-weight:600}
 header a{color:#fff;text-decoration:none}
 main{padding:16px 20px;max-width:1100px}
 table{border-collapse:collapse;width:100%;background:#fff}
 td,th{border-bottom:1px solid #d0d7de;padding:6px 8px;text-align:left;white-space:nowrap}
 td.msg{white-space:normal}
 .passed,.succeeded{color:#1a7f37}.cancelled,.skipped{color:#6e7781}.failed,.error,.rolled_back{color:#cf222e}
 .running,.queued{color:#9a6700}.skipped,.pending{color:#57606a}
 pre{background:#0d1117;color:#e6edf3;padding:12px;overflow:auto;max-height:70vh;font-size:12px}
 code{font-family:ui-monospace,monospace}
</style></head>
<body><header><a href="/">Slipway</a></header><main id="main">Loading…</main>
<script>
const main = document.getElementById('main');
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };
const ago = (t) => t ? new Date(t).toLocaleString() : '';
const secs = (a, b) => a && b ? ((b - a) / 1000).toFixed(1) + 's' : '';
async function getJson(url) {
  const r = await fetch(url);
  if (r.status === 401) { const b = await r.json().catch(() => ({})); throw Object.assign(new Error(b.error || 'not signed in'), { signIn: b.signIn }); }
  if (!r.ok) throw new Error(url + ': ' + r.status);
  return r.json();
}
async function who() {
  const r = await fetch('/auth/session'); if (!r.ok) return;
  const s = await r.json(); const out = el('button', 'Sign out'); out.id = 'signout';
  out.onclick = async () => { await fetch('/auth/logout', { method: 'POST', headers: { 'X-CSRF-Token': s.csrf } }); location.reload(); };
  document.querySelector('header').append(' · ', el('span', s.login), ' ', out);
}
function failed(e) {
  if (!e.signIn) return main.replaceChildren(el('p', String(e), 'error'));
  const a = el('a', 'Sign in with GitHub'); a.id = 'signin'; a.href = e.signIn + '?next=' + encodeURIComponent(location.pathname);
  main.replaceChildren(a);
}

async function list() {
  const { builds } = await getJson('/api/builds?limit=100');
  const table = el('table'); const head = table.insertRow();
  for (const h of ['#', 'service', 'event', 'branch', 'commit', 'state', 'deploys', 'created', 'took']) head.appendChild(el('th', h));
  for (const b of builds) {
    const row = table.insertRow();
    const link = el('a', b.id); link.href = '/builds/' + b.id;
    row.insertCell().appendChild(link);
    row.insertCell().textContent = b.service;
    row.insertCell().textContent = b.event.kind === 'pull_request' ? 'PR #' + b.event.pullRequest.number : 'push';
    row.insertCell().textContent = b.event.branch;
    const c = row.insertCell(); c.className = 'msg'; c.appendChild(el('code', b.event.sha.slice(0, 7))); c.append(' ' + (b.event.message || ''));
    row.insertCell().appendChild(el('span', b.state, b.state));
    const d = row.insertCell(); for (const x of b.deploys) d.appendChild(el('span', x.environment + (x.rollback ? ' (rollback)' : '') + ':' + x.state + ' ', x.state));
    row.insertCell().textContent = ago(b.createdAt);
    row.insertCell().textContent = secs(b.startedAt, b.finishedAt);
  }
  main.replaceChildren(builds.length ? table : el('p', 'No builds yet. Push to a repository that a pipeline watches.'));
  setTimeout(list, 3000);
}

async function show(id) {
  const pre = el('pre'); let next = 0; const summary = el('div');
  main.replaceChildren(summary, pre);
  for (;;) {
    const b = await getJson('/api/builds/' + id);
    const h = el('h2'); h.append('Build ' + b.id + ' · ' + b.service + ' · ', el('span', b.state, b.state)); 
    const meta = el('p'); meta.append(b.event.repository + ' ' + b.event.branch + ' ', el('code', b.event.sha), ' ' + (b.event.message || '') + (b.event.author ? ' — ' + b.event.author : ''));
    const stages = el('p'); for (const s of b.stages) stages.append(el('span', s.name + ' ' + s.state + ' ' + secs(s.startedAt, s.finishedAt) + '  ', s.state));
    const deploys = el('p'); for (const d of b.deploys) deploys.append(el('span', d.environment + ' (' + d.scheduler + (d.rollback ? ', rollback' : '') + '): ' + d.state + (d.detail ? ' — ' + d.detail : '') + '  ', d.state));
    const detail = b.detail ? el('p', b.detail) : '';
    summary.replaceChildren(h, meta, stages, deploys, detail, b.image ? el('p', 'image ' + b.image.repository + ':' + b.image.tag + (b.image.digest ? ' @ ' + b.image.digest : '')) : '');
    const log = await getJson('/api/builds/' + id + '/logs?format=json&from=' + next);
    if (log.lines.length) { const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 5; pre.append(log.lines.join('\\n') + '\\n'); next = log.next; if (atEnd) pre.scrollTop = pre.scrollHeight; }
    if (log.finished) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const m = location.pathname.match(/^\\/builds\\/(\\d+)$/);
who().catch(() => undefined);
(m ? show(m[1]) : list()).catch(failed);
</script></body></html>
`;
