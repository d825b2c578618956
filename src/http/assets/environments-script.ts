/** The Environments page's static markup; the script fills it from `GET /api/environments`. */
export const ENVIRONMENTS_MAIN = `<h1>Environments</h1>
<div id="result" role="status" aria-live="polite"></div>
<div id="services"><p class="muted">Loading…</p></div>`;

/**
 * `/assets/environments.js`: every service × environment, what runs there (build, commit, digest,
 * since when, how it came) and what waits for approval, refreshed every 3 s. A signed-in person
 * gets deploy, promote, approve and rollback: each first names exactly what will run (service,
 * environment, build, commit, digest), then POSTs to the release-control API (CSRF header from the
 * page) and shows the answer in place; the next refresh shows the deploy going out.
 */
export const ENVIRONMENTS_SCRIPT = String.raw`'use strict';
(function () {
  var S = window.Slipway;
  var overview = [];
  var busy = false;

  /** "3 min ago" in a <time> carrying the exact moment (its title shows it on hover) */
  function ago(t) {
    var s = Math.max(0, Math.round((Date.now() - t) / 1000));
    var text = s < 60 ? 'less than a minute ago' : s < 3600 ? Math.floor(s / 60) + ' min ago' : s < 86400 ? Math.floor(s / 3600) + ' h ago' : Math.floor(s / 86400) + ' d ago';
    var e = S.el('time', text); e.dateTime = new Date(t).toISOString(); e.title = S.when(t);
    return e;
  }

  function target(cell) { return '/api/services/' + encodeURIComponent(cell.service) + '/environments/' + encodeURIComponent(cell.environment); }
  function digestOf(image) { return image && image.indexOf('@') >= 0 ? image.slice(image.indexOf('@') + 1) : ''; }

  function commit(repository, sha) {
    var short = S.el('code', sha.slice(0, 7));
    if (!repository) return short;
    var a = S.link(S.commitUrl(repository, sha)); a.append(short); a.title = sha;
    return a;
  }

  function release(r, label) {
    var dl = S.el('dl', undefined, 'meta');
    function row(name, value) { dl.append(S.el('dt', name)); var dd = S.el('dd'); dd.append(value); dl.append(dd); }
    var build = S.link('/builds/' + encodeURIComponent(r.buildId), '#' + r.buildId);
    var head = S.el('span'); head.append(build, ' · ', commit(r.repository, r.sha), r.branch ? ' · ' + r.branch : '');
    row(label, head);
    if (r.message) row('Message', S.el('span', S.firstLine(r.message), 'message'));
    if (r.author) row('Author', S.el('span', r.author));
    var digest = r.digest || digestOf(r.image);
    if (digest) row('Digest', S.el('code', digest, 'digest'));
    return dl;
  }

  function card(cell, siblings) {
    var c = S.el('section', undefined, 'env');
    c.setAttribute('aria-label', cell.service + ' in ' + cell.environment);
    var h = S.el('h3', cell.environment);
    if (cell.approval === 'required') h.append(' ', S.el('span', 'approval required', 'tag'));
    c.append(h);
    var how = S.el('p', undefined, 'muted');
    how.append(cell.branches.length ? 'from ' + cell.branches.join(', ') : 'no deploy entry', cell.scheduler ? ' · ' + cell.scheduler : '');
    if (cell.url) { how.append(' · '); var u = S.link(cell.url, cell.url); u.rel = 'noopener noreferrer'; how.append(u); }
    c.append(how);
    if (cell.running) {
      var r = cell.running;
      c.append(release(r, 'Running'));
      var since = S.el('p', 'since ', 'since');
      since.append(ago(r.since), ' · by ' + r.cause + (r.cause === 'promotion' && r.from ? ' from ' + r.from : ''));
      c.append(since);
    } else {
      c.append(S.el('p', 'Nothing released here yet.', 'muted'));
    }
    if (cell.waiting) {
      var w = S.el('div', undefined, 'waiting');
      var title = S.el('p', 'Waiting for approval since ', 'held waiting-title');
      title.append(ago(cell.waiting.since));
      w.append(title, release(cell.waiting, 'Build'));
      c.append(w);
    }
    var releases = S.link('/services/' + encodeURIComponent(cell.service) + '/environments/' + encodeURIComponent(cell.environment) + '/releases', 'Releases');
    var bar = S.el('div', undefined, 'env-actions');
    bar.append(releases);
    if (S.session && cell.defined) actions(cell, siblings).forEach(function (b) { bar.append(b); });
    c.append(bar);
    return c;
  }

  /**
   * A dialog with one labelled list to pick from; resolves the chosen option, or undefined when
   * cancelled (Escape included). With nothing to pick, says so and offers only Close.
   */
  function choose(title, label, options, preferred) {
    return new Promise(function (resolve) {
      var d = S.el('dialog');
      d.setAttribute('aria-labelledby', 'choose-title');
      var h = S.el('h2', title); h.id = 'choose-title';
      var buttons = S.el('div', undefined, 'buttons');
      var no = S.el('button', options.length ? 'Cancel' : 'Close'); no.type = 'button';
      buttons.append(no);
      d.append(h);
      var select;
      if (options.length) {
        var l = S.el('label', label); l.htmlFor = 'choose-list';
        select = S.el('select'); select.id = 'choose-list';
        options.forEach(function (o) { var opt = S.el('option', o.label); opt.value = o.value; opt.selected = o.value === preferred; select.append(opt); });
        var next = S.el('button', 'Continue', 'primary'); next.type = 'button';
        buttons.append(next);
        d.append(l, select);
        next.addEventListener('click', function () { done(options.find(function (o) { return o.value === select.value; })); });
      } else {
        d.append(S.el('p', 'There is nothing to choose from here.'));
      }
      d.append(buttons);
      var answered = false;
      function done(v) { if (answered) return; answered = true; d.close(); d.remove(); resolve(v); }
      no.addEventListener('click', function () { done(undefined); });
      d.addEventListener('close', function () { done(undefined); });
      document.body.append(d);
      d.showModal();
      (select || no).focus();
    });
  }

  function button(cell, text, cls, onClick) {
    var b = S.el('button', text, cls); b.type = 'button';
    b.dataset.key = cell.service + '\n' + cell.environment + '\n' + text;
    b.addEventListener('click', function () {
      if (busy) return;
      Promise.resolve().then(function () { return onClick(b); }).catch(function (e) {
        document.getElementById('result').replaceChildren(S.el('p', String(e && e.message || e), 'notice bad'));
      });
    });
    return b;
  }

  function actions(cell, siblings) {
    var list = cell.waiting ? [button(cell, 'Approve', 'primary', function () { return approve(cell); })] : [];
    list.push(button(cell, 'Deploy…', undefined, function () { return deploy(cell); }));
    if (siblings.some(function (s) { return s.environment !== cell.environment && s.running; })) list.push(button(cell, 'Promote…', undefined, function () { return promote(cell, siblings); }));
    if (cell.running) list.push(button(cell, 'Roll back…', 'danger', function () { return rollback(cell); }));
    return list;
  }

  /** The confirmation's text: exactly what will run where. */
  function what(cell, r) {
    return cell.service + ' in ' + cell.environment + ' will run build #' + r.buildId + ', commit ' + r.sha.slice(0, 7) + ', image ' + (digestOf(r.image) || r.digest || '(no digest)') + '.';
  }

  async function act(cell, verb, r, url, body) {
    if (!(await S.confirmAction(verb + ' ' + cell.service + ' to ' + cell.environment + '?', what(cell, r), verb))) return;
    busy = true;
    try {
      var answer = await S.post(url, body);
      var out = document.getElementById('result');
      if (answer.ok) out.replaceChildren(S.el('p', verb + ': deploy ' + answer.body.deploy.id + ' of build #' + answer.body.build + ' to ' + cell.environment + ' is queued.', 'notice'));
      else out.replaceChildren(S.el('p', verb + ' refused: ' + (answer.body.error || answer.status), 'notice bad'));
    } finally {
      busy = false;
    }
    await refresh();
    S.focusIfLost(document.getElementById('result').firstChild); // the button that asked may be gone after the refresh
  }

  function approve(cell) {
    var w = cell.waiting;
    return act(cell, 'Approve', { buildId: w.buildId, sha: w.sha, image: w.image }, target(cell) + '/approve');
  }

  async function deploy(cell) {
    var page = await S.getJson('/api/builds?service=' + encodeURIComponent(cell.service) + '&limit=50');
    var pushed = page.builds.filter(function (b) { return b.image && b.image.digest; }).map(function (b) {
      return { value: b.id, label: '#' + b.id + ' · ' + b.event.sha.slice(0, 7) + ' · ' + b.event.branch + ' · ' + S.firstLine(b.event.message), release: { buildId: b.id, sha: b.event.sha, image: b.image.repository + '@' + b.image.digest } };
    });
    var chosen = await choose('Deploy to ' + cell.environment, 'Pushed build of ' + cell.service, pushed);
    if (chosen) await act(cell, 'Deploy', chosen.release, target(cell) + '/deploy', { build: chosen.value });
  }

  async function promote(cell, siblings) {
    var from = siblings.filter(function (s) { return s.environment !== cell.environment && s.running; }).map(function (s) {
      return { value: s.environment, label: s.environment + ' · #' + s.running.buildId + ' · ' + s.running.sha.slice(0, 7), release: s.running };
    });
    var chosen = await choose('Promote to ' + cell.environment, 'From the environment', from);
    if (chosen) await act(cell, 'Promote', chosen.release, target(cell) + '/deploy', { from: chosen.value });
  }

  async function rollback(cell) {
    var history = await S.getJson(target(cell) + '/releases?limit=20');
    var current = history.releases[0];
    // as slipway rollback chooses: another image, not one a rollback already took away
    var seen = {};
    history.releases.forEach(function (r) { if (r.replaced) seen[r.replaced] = true; });
    var earlier = history.releases.filter(function (r) {
      if (!current || r.image === current.image || seen[r.buildId]) return false;
      seen[r.buildId] = true; return true;
    }).map(function (r) { return { value: r.buildId, label: '#' + r.buildId + ' · ' + r.sha.slice(0, 7) + ' · ' + S.when(r.deployedAt), release: r }; });
    var chosen = await choose('Roll back ' + cell.environment, 'Put back the release of', earlier, history.rollbackTo);
    if (chosen) await act(cell, 'Roll back', chosen.release, target(cell) + '/rollback', { to: chosen.value });
  }

  function render() {
    var root = document.getElementById('services');
    if (overview.length === 0) return root.replaceChildren(S.el('p', 'No environments yet: add a deploy entry to a pipeline.', 'muted'));
    var services = [];
    overview.forEach(function (cell) { var last = services[services.length - 1]; if (last && last.name === cell.service) last.cells.push(cell); else services.push({ name: cell.service, cells: [cell] }); });
    root.replaceChildren.apply(root, services.map(function (s) {
      var section = S.el('section', undefined, 'service');
      var h = S.el('h2', s.name); h.id = 'service-' + s.name.replace(/[^A-Za-z0-9_-]/g, '_');
      section.setAttribute('aria-labelledby', h.id);
      var grid = S.el('div', undefined, 'envs');
      s.cells.forEach(function (cell) { grid.append(card(cell, s.cells)); });
      section.append(h, grid);
      return section;
    }));
  }

  var shown = '';
  async function refresh() {
    var body = await S.getJson('/api/environments');
    overview = body.environments;
    var now = JSON.stringify(overview) + Math.floor(Date.now() / 60000); // and once a minute, for the "… ago" times
    // rebuild only what changed, never under an open dialog or a button being pressed, and keep keyboard focus where it was
    if (now === shown || busy || document.querySelector('dialog[open]')) return;
    var focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.key : undefined;
    render();
    shown = now;
    var again = focused && Array.prototype.find.call(document.querySelectorAll('[data-key]'), function (e) { return e.dataset.key === focused; });
    if (again) again.focus();
  }

  S.start(async function () {
    await refresh();
    setInterval(function () { refresh().catch(S.failed); }, 3000);
  });
})();
`;
