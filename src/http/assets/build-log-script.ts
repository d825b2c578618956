/**
 * `/assets/build-log.js`: the Build page's log as `window.SlipwayLog`: numbered lines (each a link
 * `#L<n>`), ANSI colours, wrapping instead of a sideways scroll, following the end while the
 * reader is there, and search (matching lines marked, Enter or the buttons go from one to the next).
 * Only the last `KEEP` lines are drawn at first (every row costs layout); "Show N earlier lines"
 * draws more, and a `#L<n>` link or a search hit before them draws back to that line. Search looks
 * through the plain text of every line, drawn or not.
 */
export const LOG_ROWS_KEPT = 2000;

export const BUILD_LOG_SCRIPT = String.raw`'use strict';
(function () {
  var KEEP = ${LOG_ROWS_KEPT};
  var S = window.Slipway;
  var log = document.getElementById('log');
  var search = document.getElementById('log-search');
  var hitsText = document.getElementById('hits');
  var earlier = S.el('button', '', 'earlier');
  earlier.type = 'button';
  earlier.hidden = true;
  log.before(earlier);
  /** matching entries, in log order */
  var hits = [];
  var current = -1;
  var wanted = location.hash.slice(1);
  var shown = 0;

  /** every line received: {i (its index here), n, text, plain (lower case, what search looks through), row (once drawn)} */
  var all = [];
  /** index in all of line number n */
  var byNumber = {};
  /** all[first..] are drawn; the ones before wait for the button */
  var first = 0;
  /** true until the reader asks for earlier lines: then nothing drawn is taken away again */
  var trim = true;
  var pending = [];

  function atEnd() { return window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 60; }
  function query() { return search.value.trim().toLowerCase(); }
  function matches(entry, q) { return q !== '' && entry.plain.indexOf(q) >= 0; }

  /** Lines are drawn once per frame, however many events brought them: a long log costs one layout per frame, not one per event. */
  function add(lines) {
    if (pending.length === 0) (document.hidden ? setTimeout : requestAnimationFrame)(draw);
    pending.push.apply(pending, lines);
  }

  function rowFor(entry, q) {
    var row = S.el('div', undefined, entry.n === null ? 'line cut' : 'line');
    if (entry.n !== null) {
      row.id = 'L' + entry.n;
      var a = S.link('#L' + entry.n, String(entry.n), 'ln');
      a.setAttribute('aria-label', 'Line ' + entry.n);
      row.append(a);
    } else {
      row.append(S.el('span', '', 'ln'));
    }
    var text = S.el('span', undefined, 'text');
    text.append(S.ansi(entry.text));
    row.append(text);
    if (matches(entry, q)) row.classList.add('hit');
    entry.row = row;
    return row;
  }

  function showEarlierButton() {
    earlier.hidden = first === 0;
    var n = Math.min(KEEP, first);
    earlier.textContent = 'Show ' + n.toLocaleString('en-US') + ' earlier line' + (n === 1 ? '' : 's');
  }

  /** Draws all[to..first-1] above what is drawn, keeping the lines in view where they were. */
  function drawBack(to) {
    if (to >= first) return;
    trim = false;
    var q = query();
    var f = document.createDocumentFragment();
    for (var i = to; i < first; i++) f.append(rowFor(all[i], q));
    var height = document.documentElement.scrollHeight;
    log.prepend(f);
    window.scrollBy(0, document.documentElement.scrollHeight - height);
    first = to;
    showEarlierButton();
  }

  function draw() {
    var lines = pending;
    pending = [];
    var follow = atEnd() && !wanted;
    var q = query();
    var from = all.length;
    lines.forEach(function (l) {
      if (l.n !== null && l.n <= shown) return; // sent again after a reconnect
      if (l.n !== null) { shown = l.n; byNumber[l.n] = all.length; }
      var entry = { i: all.length, n: l.n, text: l.text, plain: S.plainText(l.text).toLowerCase(), row: null };
      all.push(entry);
      if (matches(entry, q)) hits.push(entry);
    });
    if (trim && all.length - first > KEEP) {
      var to = all.length - KEEP;
      for (var i = first; i < Math.min(to, from); i++) all[i].row.remove();
      for (i = first; i < to; i++) all[i].row = null;
      first = to;
    }
    var f = document.createDocumentFragment();
    for (i = Math.max(from, first); i < all.length; i++) f.append(rowFor(all[i], q));
    log.append(f);
    showEarlierButton();
    if (q) showCount();
    if (wanted && reveal(wanted)) wanted = '';
    else if (follow) window.scrollTo(0, document.documentElement.scrollHeight);
  }

  /** Marks and scrolls to line "L<n>", drawing back to it when it is before the drawn lines; false while it has not arrived. */
  function reveal(id) {
    var i = /^L[0-9]+$/.test(id) ? byNumber[id.slice(1)] : undefined;
    if (i === undefined) return false;
    drawBack(i);
    log.querySelectorAll('.line.current').forEach(function (r) { r.classList.remove('current'); });
    all[i].row.classList.add('current');
    all[i].row.scrollIntoView({ block: 'center' });
    return true;
  }

  function showCount() {
    hitsText.textContent = search.value.trim() === '' ? '' : hits.length === 0 ? 'no matching lines' : (current >= 0 ? (current + 1) + ' of ' : '') + hits.length + (hits.length === 1 ? ' matching line' : ' matching lines');
  }

  function find() {
    var q = query();
    hits.forEach(function (h) { if (h.row) h.row.classList.remove('hit', 'current'); });
    hits = all.filter(function (entry) { return matches(entry, q); });
    current = -1;
    hits.forEach(function (h) { if (h.row) h.row.classList.add('hit'); });
    showCount();
  }

  function go(step) {
    if (hits.length === 0) return;
    if (current >= 0 && hits[current].row) hits[current].row.classList.remove('current');
    current = (current + step + hits.length) % hits.length;
    drawBack(hits[current].i);
    hits[current].row.classList.add('current');
    hits[current].row.scrollIntoView({ block: 'center' });
    showCount();
  }

  var timer;
  search.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(find, 120); });
  search.addEventListener('keydown', function (e) { if (e.key === 'Enter') { e.preventDefault(); clearTimeout(timer); if (current < 0) find(); go(e.shiftKey ? -1 : 1); } });
  document.getElementById('hit-prev').addEventListener('click', function () { go(-1); });
  document.getElementById('hit-next').addEventListener('click', function () { go(1); });
  earlier.addEventListener('click', function () { drawBack(Math.max(0, first - KEEP)); });
  window.addEventListener('hashchange', function () { reveal(location.hash.slice(1)); });

  window.SlipwayLog = { add: add };
})();
`;
