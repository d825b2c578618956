/** The Build page's static markup; the script fills it from `GET /api/builds/:id/events`. */
export const BUILD_MAIN = `<div class="titlebar"><h1><span id="title">Build</span><span id="state"></span></h1><div class="actions" id="actions"></div></div>
<div id="result" role="status" aria-live="polite"></div>
<dl class="meta" id="meta"></dl>
<h2 id="stages-title">Stages</h2>
<ol class="timeline" id="stages" aria-labelledby="stages-title"></ol>
<p id="image"></p>
<h2>Deploys</h2>
<table id="deploys" class="cards" hidden><thead><tr><th scope="col">Deploy</th><th scope="col">Environment</th><th scope="col">How</th><th scope="col">State</th><th scope="col">Reason</th><th scope="col">Took</th></tr></thead><tbody></tbody></table>
<p id="no-deploys" class="muted">None.</p>
<h2 id="log-title">Log</h2>
<div class="logbar"><label for="log-search">Search the log</label><input id="log-search" type="search" autocomplete="off">
<button type="button" id="hit-prev" aria-label="Previous matching line">↑</button><button type="button" id="hit-next" aria-label="Next matching line">↓</button>
<span id="hits" class="muted" role="status"></span><span id="log-state" class="muted"></span></div>
<div class="log" id="log" role="log" aria-labelledby="log-title"></div>`;

/**
 * `/assets/build.js`: the Build page. One EventSource brings the record (each change) and the log
 * (each new line) until the build and its deploys are over. Cancel and rerun, for a signed-in
 * person, ask first and show their answer in place.
 */
export const BUILD_SCRIPT = String.raw`'use strict';
(function () {
  var S = window.Slipway;
  var id = location.pathname.split('/').pop();
  var FINAL = ['passed', 'failed', 'error', 'cancelled', 'skipped'];
  var build;

  function meta(b) {
    var dl = document.getElementById('meta');
    dl.replaceChildren();
    function row(name, value) { if (value === undefined || value === '') return; dl.append(S.el('dt', name)); var dd = S.el('dd'); dd.append(value); dl.append(dd); }
    row('Repository', S.el('span', b.event.repository));
    row('Branch', S.el('span', b.event.branch + (b.event.pullRequest ? ' (pull request #' + b.event.pullRequest.number + ')' : '')));
    var sha = S.link(S.commitUrl(b.event.repository, b.event.sha), b.event.sha, 'mono');
    row('Commit', sha);
    if (b.event.message) row('Message', S.el('span', b.event.message, 'message'));
    if (b.event.author) row('Author', S.el('span', b.event.author));
    row('Created', S.el('span', S.when(b.createdAt)));
    if (b.rerunOf) row('Rerun of', S.link('/builds/' + b.rerunOf, '#' + b.rerunOf));
    if (b.detail) row('Detail', S.el('span', b.detail));
  }

  function stages(b) {
    var done = FINAL.indexOf(b.state) >= 0;
    var ol = document.getElementById('stages');
    ol.replaceChildren();
    b.stages.forEach(function (s) {
      var never = s.state === 'pending' && done;
      var li = S.el('li');
      li.append(S.el('span', s.name, 'name'), S.el('span', never ? 'not run' : s.state === 'pending' ? 'waiting' : s.state, 'state ' + (never ? 'not-run' : s.state)));
      if (s.startedAt) li.append(S.el('span', S.took(s.startedAt, s.finishedAt), 'muted'));
      if (s.detail) li.title = s.detail;
      ol.append(li);
    });
    var image = document.getElementById('image');
    var i = b.image;
    if (i && i.digest) image.textContent = 'Image: ' + i.repository + ':' + i.tag + '@' + i.digest;
    else if (done) image.textContent = b.event.kind === 'pull_request' ? 'Image: not pushed (pull request builds are never pushed)' : 'Image: not pushed';
    else image.textContent = i ? 'Image: ' + i.repository + ':' + i.tag + ' (built, not pushed yet)' : '';
  }

  function how(d) {
    if (d.rollback) return 'rollback';
    if (d.requested === 'promote') return 'promotion' + (d.from ? ' from ' + d.from : '');
    if (d.requested === 'approval') return 'approved';
    if (d.requested === 'deploy') return 'asked for';
    return 'push';
  }

  var LABELS = ['Deploy', 'Environment', 'How', 'State', 'Reason', 'Took'];
  function deploys(b) {
    var table = document.getElementById('deploys');
    var body = table.tBodies[0];
    body.replaceChildren();
    b.deploys.forEach(function (d) {
      var row = body.insertRow();
      row.id = 'deploy-' + d.id;
      [S.el('span', '#' + d.id), S.el('span', d.environment + ' (' + d.scheduler + ')'), S.el('span', how(d)), S.el('span', d.state.replace('_', ' '), 'state ' + d.state), S.el('span', d.detail || ''), S.el('span', S.took(d.startedAt, d.finishedAt))]
        .forEach(function (c, i) { var td = row.insertCell(); td.dataset.label = LABELS[i]; if (i === 4) td.className = 'msg'; td.append(c); });
    });
    table.hidden = b.deploys.length === 0;
    document.getElementById('no-deploys').hidden = b.deploys.length > 0;
  }

  var shownActions = '';
  function actions(b) {
    var box = document.getElementById('actions');
    if (!S.session || document.body.dataset.buildActions !== 'true') return;
    // Re-made only when the choice changes, so a button keeps the keyboard focus while the build runs.
    var key = b.id + ':' + (FINAL.indexOf(b.state) < 0 ? 'cancel' : 'rerun');
    if (key === shownActions) return;
    shownActions = key;
    box.replaceChildren();
    var short = b.event.sha.slice(0, 7);
    if (FINAL.indexOf(b.state) < 0) {
      box.append(button('Cancel', 'danger', 'Cancel build #' + b.id + '?', 'This stops build #' + b.id + ' of ' + b.service + ' (' + b.event.branch + ' at ' + short + '): its containers are removed, it ends cancelled and it never deploys.', 'Cancel the build', 'cancel'));
    } else {
      box.append(button('Rerun', 'primary', 'Rerun build #' + b.id + '?', 'This builds commit ' + short + ' of ' + b.service + ' (' + b.event.branch + ') again, as a new build that tests, pushes and deploys like a push would.', 'Rerun it', 'rerun'));
    }
  }

  function button(label, cls, title, text, confirmLabel, action) {
    var btn = S.el('button', label, cls);
    btn.type = 'button';
    btn.id = action;
    btn.addEventListener('click', async function () {
      if (!(await S.confirmAction(title, text, confirmLabel))) return;
      btn.disabled = true;
      var answer = await S.post('/api/builds/' + id + '/' + action).catch(function (e) { return { ok: false, body: { error: String(e) } }; });
      btn.disabled = false;
      say(action, answer);
    });
    return btn;
  }

  function say(action, answer) {
    var box = document.getElementById('result');
    var p = S.el('p', undefined, answer.ok ? 'notice' : 'notice bad');
    if (!answer.ok) p.textContent = 'Not done: ' + (answer.body.error || 'the server answered ' + answer.status);
    else if (action === 'rerun') p.append('Queued build ', S.link('/builds/' + answer.body.build.id, '#' + answer.body.build.id), ' for the same commit.');
    else p.textContent = answer.status === 202 ? 'Build #' + id + ' is being stopped by the worker running it.' : 'Build #' + id + ' is cancelled.';
    box.replaceChildren(p);
    S.focusIfLost(p); // the button was disabled while it worked (or is gone: the build is over), so the answer takes the focus
  }

  function show(b) {
    build = b;
    document.title = 'Build #' + b.id + ' · ' + b.service + ' · Slipway';
    document.getElementById('title').textContent = 'Build #' + b.id + ' · ' + b.service;
    meta(b); stateAndStages(b); deploys(b); actions(b);
  }

  function stateAndStages(b) {
    var state = document.getElementById('state');
    state.replaceChildren(S.el('span', b.state, 'state ' + b.state), S.el('span', b.startedAt ? ' · ' + S.took(b.startedAt, b.finishedAt) : '', 'muted'));
    stages(b);
  }

  S.start(function () {
    var logState = document.getElementById('log-state');
    logState.textContent = 'following…';
    var source = new EventSource('/api/builds/' + encodeURIComponent(id) + '/events');
    source.addEventListener('open', function () { logState.textContent = 'following…'; });
    source.addEventListener('build', function (e) { show(JSON.parse(e.data)); });
    source.addEventListener('log', function (e) { window.SlipwayLog.add(JSON.parse(e.data).lines); });
    source.addEventListener('end', function () { source.close(); logState.textContent = 'complete'; });
    source.addEventListener('error', function () {
      if (source.readyState !== EventSource.CLOSED) { logState.textContent = 'reconnecting…'; return; }
      if (!build) S.getJson('/api/builds/' + encodeURIComponent(id)).catch(S.failed);
    });
    setInterval(function () { if (build && FINAL.indexOf(build.state) < 0) stateAndStages(build); }, 1000);
  });
})();
`;
