/** The Releases page's static markup; the script fills it from `GET /api/services/:service/environments/:environment/releases`. */
export const RELEASES_MAIN = `<h1 id="title">Releases</h1>
<p class="muted">Newest first: what <code>slipway releases</code> prints. <a href="/environments">All environments</a></p>
<table class="releases" id="releases" hidden><thead><tr><th scope="col">Build</th><th scope="col">Commit</th><th scope="col">Image digest</th><th scope="col">Deployed at</th><th scope="col">Cause</th><th scope="col"></th></tr></thead><tbody></tbody></table>
<p id="none" class="muted" hidden>No releases recorded here yet.</p>`;

/** `/assets/releases.js`: the release history of one service in one environment, newest first. */
export const RELEASES_SCRIPT = String.raw`'use strict';
(function () {
  var S = window.Slipway;
  var parts = location.pathname.split('/');
  var service = decodeURIComponent(parts[2] || '');
  var environment = decodeURIComponent(parts[4] || '');

  function cell(row, label, content) {
    var td = row.insertCell(); td.dataset.label = label;
    if (content !== undefined) td.append(content);
    return td;
  }

  S.start(async function () {
    document.getElementById('title').textContent = 'Releases of ' + service + ' in ' + environment;
    document.title = service + ' in ' + environment + ' · Releases · Slipway';
    var body = await S.getJson('/api/services/' + encodeURIComponent(service) + '/environments/' + encodeURIComponent(environment) + '/releases?limit=20');
    var table = document.getElementById('releases');
    var tbody = table.tBodies[0];
    tbody.replaceChildren();
    body.releases.forEach(function (r, i) {
      var row = tbody.insertRow();
      cell(row, 'Build', S.link('/builds/' + encodeURIComponent(r.buildId), '#' + r.buildId));
      var sha = S.el('code', r.sha.slice(0, 7));
      if (body.repository) { var a = S.link(S.commitUrl(body.repository, r.sha)); a.title = r.sha; a.append(sha); sha = a; }
      cell(row, 'Commit', sha);
      var at = r.image.indexOf('@');
      cell(row, 'Image digest', S.el('code', at >= 0 ? r.image.slice(at + 1) : r.image, 'digest'));
      cell(row, 'Deployed at', S.when(r.deployedAt));
      cell(row, 'Cause', r.cause === 'promotion' && r.from ? 'promotion from ' + r.from : (r.cause || (r.rollback ? 'rollback' : 'push')));
      cell(row, '', i === 0 ? S.el('strong', 'current') : (r.replaced ? 'rolled back from #' + r.replaced : ''));
    });
    table.hidden = body.releases.length === 0;
    document.getElementById('none').hidden = body.releases.length > 0;
  });
})();
`;
