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

  function atEnd() { return window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 60; }

  function matches(line, q) { return q !== '' && line.dataset.text.toLowerCase().indexOf(q) >= 0; }

  function add(lines) {
    var follow = atEnd() && !wanted;
    var q = search.value.trim().toLowerCase();
    var f = document.createDocumentFragment();
    var found;
    lines.forEach(function (l) {
      var row = S.el('div', undefined, l.n === null ? 'line cut' : 'line');
      row.dataset.text = l.text;
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
      if (matches(row, q)) { row.classList.add('hit'); hits.push(row); }
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
    log.querySelectorAll('.line').forEach(function (row) { if (matches(row, q)) { row.classList.add('hit'); hits.push(row); } });
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
