import { BUILD_STATES } from '../../pipeline/builds-page.ts';

/** The Builds page's static markup: the filter form (its values come from the URL, set by the script) and an empty table. */
export const BUILDS_MAIN = `<h1>Builds</h1>
<form class="filters" id="filters" method="get" action="/" role="search" aria-label="Filter builds">
<label for="f-service">Service<input id="f-service" name="service" autocomplete="off"></label>
<label for="f-branch">Branch<input id="f-branch" name="branch" autocomplete="off"></label>
<label for="f-state">State<select id="f-state" name="state"><option value="">any</option>${BUILD_STATES.map((s) => `<option>${s}</option>`).join('')}</select></label>
<label for="f-author">Author<input id="f-author" name="author" autocomplete="off"></label>
<button type="submit">Filter</button><a class="button" href="/">Clear</a>
</form>
<p id="live" class="muted" role="status" aria-live="polite"></p>
<table class="builds cards"><caption class="skip">Builds, newest first</caption>
<thead><tr><th scope="col">Build</th><th scope="col">Service</th><th scope="col">Branch</th><th scope="col">Commit</th><th scope="col">Message</th><th scope="col">Author</th><th scope="col">State</th><th scope="col">Deploys</th></tr></thead>
<tbody id="rows"></tbody></table>
<p id="empty" class="muted" hidden></p>
<nav class="pager" id="pager" aria-label="Older and newer builds"></nav>`;

/**
 * `/assets/builds.js`: fills the Builds page. The first page follows `GET /api/builds` as
 * Server-Sent Events (new builds and state changes appear without a reload); an older page
 * (`?before=`) is read once. Filters live in the URL, so a filtered list is a link.
 */
export const BUILDS_SCRIPT = String.raw`'use strict';
(function () {
  var S = window.Slipway;
  var FILTERS = ['service', 'branch', 'state', 'author'];
  var PAGE = 25;
  var url = new URLSearchParams(location.search);
  var rows = document.getElementById('rows');

  function query(extra) {
    var q = new URLSearchParams();
    FILTERS.forEach(function (k) { var v = url.get(k); if (v) q.set(k, v); });
    Object.keys(extra || {}).forEach(function (k) { q.set(k, extra[k]); });
    return q.toString();
  }

  function cell(row, label, child, cls) {
    var td = row.insertCell();
    td.dataset.label = label;
    if (cls) td.className = cls;
    if (child !== undefined) td.append(child);
    return td;
  }

  function stateOf(b) {
    var span = S.el('span', b.state, 'state ' + b.state);
    var t = S.el('span', '', 'took muted');
    t.dataset.started = b.startedAt || '';
    t.dataset.finished = b.finishedAt || '';
    t.textContent = b.startedAt ? ' · ' + S.took(b.startedAt, b.finishedAt) : '';
    var f = document.createDocumentFragment(); f.append(span, t);
    return f;
  }

  function deploysOf(b) {
    var ul = S.el('ul', undefined, 'deploys');
    b.deploys.forEach(function (d) {
      var li = S.el('li');
      li.append(d.environment + (d.rollback ? ' (rollback)' : '') + ' ', S.el('span', d.state.replace('_', ' '), 'state ' + d.state));
      if (d.detail) li.title = d.detail;
      ul.append(li);
    });
    return ul;
  }

  function render(page) {
    rows.replaceChildren();
    page.builds.forEach(function (b) {
      var row = rows.insertRow();
      row.id = 'build-' + b.id;
      cell(row, 'Build', S.link('/builds/' + b.id, '#' + b.id));
      cell(row, 'Service', S.el('span', b.service));
      var pr = b.event.kind === 'pull_request' && b.event.pullRequest ? ' (PR #' + b.event.pullRequest.number + ')' : '';
      cell(row, 'Branch', S.el('span', b.event.branch + pr), 'msg');
      var sha = S.link(S.commitUrl(b.event.repository, b.event.sha), b.event.sha.slice(0, 7), 'mono');
      sha.title = 'Commit ' + b.event.sha + ' on GitHub';
      cell(row, 'Commit', sha);
      cell(row, 'Message', S.el('span', S.firstLine(b.event.message)), 'msg');
      cell(row, 'Author', S.el('span', b.event.author || ''));
      cell(row, 'State', stateOf(b));
      cell(row, 'Deploys', deploysOf(b));
    });
    var filtered = FILTERS.some(function (k) { return url.get(k); });
    var empty = document.getElementById('empty');
    empty.hidden = page.builds.length > 0;
    empty.textContent = filtered ? 'No builds match these filters.' : url.get('before') ? 'No older builds.' : 'No builds yet. Push to a repository that a pipeline watches.';
    var pager = document.getElementById('pager');
    pager.replaceChildren();
    if (url.get('before')) pager.append(S.link('/?' + query(), '← Newest'));
    if (page.next) { var older = S.link('/?' + query({ before: page.next }), 'Older →'); older.rel = 'next'; pager.append(older); }
  }

  function tick() {
    rows.querySelectorAll('.took').forEach(function (t) {
      if (t.dataset.started && !t.dataset.finished) t.textContent = ' · ' + S.took(Number(t.dataset.started));
    });
  }

  FILTERS.forEach(function (k) { document.getElementById('f-' + k).value = url.get(k) || ''; });
  // Empty fields stay out of the URL, so a filtered list is a short link.
  document.getElementById('filters').addEventListener('submit', function (e) {
    e.preventDefault();
    var q = new URLSearchParams();
    FILTERS.forEach(function (k) { var v = document.getElementById('f-' + k).value.trim(); if (v) q.set(k, v); });
    location.href = '/' + (q.toString() ? '?' + q : '');
  });

  S.start(async function () {
    if (url.get('before')) return render(await S.getJson('/api/builds?' + query({ before: url.get('before'), limit: PAGE })));
    var live = document.getElementById('live');
    var source = new EventSource('/api/builds?' + query({ limit: PAGE }));
    source.addEventListener('builds', function (e) { render(JSON.parse(e.data)); live.textContent = 'Live: new builds and state changes appear here.'; });
    source.addEventListener('open', function () { live.textContent = 'Live: new builds and state changes appear here.'; });
    source.addEventListener('error', function () {
      if (source.readyState === EventSource.CLOSED) S.getJson('/api/builds?' + query({ limit: PAGE })).then(render, S.failed);
      else live.textContent = 'Reconnecting…';
    });
    setInterval(tick, 1000);
  });
})();
`;
