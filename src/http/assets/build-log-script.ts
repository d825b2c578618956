/**
 * `/assets/build-log.js`: the Build page's log as `window.SlipwayLog`: numbered lines (each a link
 * `#L<n>`), ANSI colours, wrapping instead of a sideways scroll, following the end while the
 * reader is there, and search (matching lines marked, Enter or the buttons go from one to the next).
 */
export const BUILD_LOG_SCRIPT = String.raw`'use strict';
(function () {
  var S = window.Slipway;
  var log = document.getElementById('log');
  var search = document.getElementById('log-search');
  var hitsText = document.getElementById('hits');
  var hits = [];
  var current = -1;
  var wanted = location.hash.slice(1);
  var shown = 0;

  /** every line shown, with its visible text in lower case (what search looks through) */
  var all = [];
  var pending = [];

  function atEnd() { return window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 60; }

  function matches(entry, q) { return q !== '' && entry.plain.indexOf(q) >= 0; }

  /** Lines are drawn once per frame, however many events brought them: a long log costs one layout per frame, not one per event. */
  function add(lines) {
    if (pending.length === 0) (document.hidden ? setTimeout : requestAnimationFrame)(draw);
    pending.push.apply(pending, lines);
  }

  function draw() {
    var lines = pending;
    pending = [];
    var follow = atEnd() && !wanted;
    var q = search.value.trim().toLowerCase();
    var f = document.createDocumentFragment();
    var found;
    lines.forEach(function (l) {
      if (l.n !== null && l.n <= shown) return; // sent again after a reconnect
      if (l.n !== null) shown = l.n;
      var row = S.el('div', undefined, l.n === null ? 'line cut' : 'line');
      if (l.n !== null) {
        row.id = 'L' + l.n;
        var a = S.link('#L' + l.n, String(l.n), 'ln');
        a.setAttribute('aria-label', 'Line ' + l.n);
        row.append(a);
        if (row.id === wanted) found = row;
      } else {
        row.append(S.el('span', '', 'ln'));
      }
      var text = S.el('span', undefined, 'text');
      text.append(S.ansi(l.text));
      row.append(text);
      var entry = { row: row, plain: text.textContent.toLowerCase() };
      all.push(entry);
      if (matches(entry, q)) { row.classList.add('hit'); hits.push(row); }
      f.append(row);
    });
    log.append(f);
    if (q) showCount();
    if (found) { found.classList.add('current'); found.scrollIntoView({ block: 'center' }); wanted = ''; }
    else if (follow) window.scrollTo(0, document.documentElement.scrollHeight);
  }

  function showCount() {
    hitsText.textContent = search.value.trim() === '' ? '' : hits.length === 0 ? 'no matching lines' : (current >= 0 ? (current + 1) + ' of ' : '') + hits.length + (hits.length === 1 ? ' matching line' : ' matching lines');
  }

  function find() {
    var q = search.value.trim().toLowerCase();
    hits.forEach(function (h) { h.classList.remove('hit', 'current'); });
    hits = [];
    current = -1;
    all.forEach(function (entry) { if (matches(entry, q)) { entry.row.classList.add('hit'); hits.push(entry.row); } });
    showCount();
  }

  function go(step) {
    if (hits.length === 0) return;
    if (current >= 0) hits[current].classList.remove('current');
    current = (current + step + hits.length) % hits.length;
    hits[current].classList.add('current');
    hits[current].scrollIntoView({ block: 'center' });
    showCount();
  }

  var timer;
  search.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(find, 120); });
  search.addEventListener('keydown', function (e) { if (e.key === 'Enter') { e.preventDefault(); clearTimeout(timer); if (current < 0) find(); go(e.shiftKey ? -1 : 1); } });
  document.getElementById('hit-prev').addEventListener('click', function () { go(-1); });
  document.getElementById('hit-next').addEventListener('click', function () { go(1); });
  window.addEventListener('hashchange', function () {
    log.querySelectorAll('.line.current').forEach(function (r) { r.classList.remove('current'); });
    var row = document.getElementById(location.hash.slice(1));
    if (row && row.classList.contains('line')) row.classList.add('current');
  });

  window.SlipwayLog = { add: add };
})();
`;
