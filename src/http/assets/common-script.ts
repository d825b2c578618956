/**
 * `/assets/common.js`: what every dashboard page's script uses, as `window.Slipway`. Text from
 * users only ever reaches the page through `textContent` (here: `el`, `ansi`), never as HTML.
 * Plain browser JavaScript, no build step.
 */
export const COMMON_SCRIPT = String.raw`'use strict';
(function () {
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function link(href, text, cls) { var a = el('a', text, cls); a.href = href; return a; }

  function SignInNeeded(message, signIn) { this.message = message; this.signIn = signIn; }

  async function getJson(url) {
    var r = await fetch(url, { headers: { accept: 'application/json' } });
    var body = await r.json().catch(function () { return {}; });
    if (r.status === 401) throw new SignInNeeded(body.error || 'sign-in needed', body.signIn);
    if (!r.ok) throw new Error(body.error || (url + ' answered ' + r.status));
    return body;
  }

  var ctx = document.body.dataset;
  /** the signed-in person ({login, csrf}), from the page itself (asking /auth/session would log a 401 for everyone else) */
  var session = ctx.login ? { login: ctx.login, csrf: ctx.csrf } : undefined;

  async function post(url, body) {
    var s = session;
    var headers = { accept: 'application/json', 'content-type': 'application/json' };
    if (s) headers['x-csrf-token'] = s.csrf;
    var r = await fetch(url, { method: 'POST', headers: headers, body: JSON.stringify(body || {}) });
    var answer = await r.json().catch(function () { return {}; });
    return { ok: r.ok, status: r.status, body: answer };
  }

  function showWho() {
    var who = document.getElementById('who');
    if (!session) {
      if (ctx.signIn) who.replaceChildren(link(ctx.signIn + '?next=' + encodeURIComponent(location.pathname + location.search), 'Sign in'));
      return;
    }
    var out = el('button', 'Sign out');
    out.type = 'button';
    out.addEventListener('click', async function () {
      await fetch('/auth/logout', { method: 'POST', headers: { 'x-csrf-token': session.csrf } });
      location.reload();
    });
    who.replaceChildren(el('span', session.login), out);
  }

  /** Puts the keyboard focus on a message (a status line) when it fell to the page body, e.g. because the button that had it was disabled or replaced. */
  function focusIfLost(message) {
    var a = document.activeElement;
    if (!message || (a && a !== document.body && a.isConnected)) return;
    message.tabIndex = -1;
    message.focus();
  }

  /** A modal question naming exactly what will happen; resolves true only on the confirm button. Closing it gives the focus back to what had it (the button that asked). */
  function confirmAction(title, text, confirmLabel) {
    var opener = document.activeElement;
    return new Promise(function (resolve) {
      var d = el('dialog');
      d.setAttribute('aria-labelledby', 'confirm-title');
      var h = el('h2', title); h.id = 'confirm-title';
      var yes = el('button', confirmLabel, 'primary'); yes.type = 'button'; yes.value = 'yes';
      var no = el('button', 'Keep it as it is'); no.type = 'button';
      var buttons = el('div', undefined, 'buttons'); buttons.append(no, yes);
      d.append(h, el('p', text), buttons);
      var answered = false;
      function done(v) {
        if (answered) return;
        answered = true; d.close(); d.remove();
        if (opener && opener !== document.body && opener.isConnected && typeof opener.focus === 'function') opener.focus();
        resolve(v);
      }
      yes.addEventListener('click', function () { done(true); });
      no.addEventListener('click', function () { done(false); });
      d.addEventListener('close', function () { done(false); });
      document.body.append(d);
      d.showModal();
      no.focus();
    });
  }

  function duration(ms) {
    if (ms === undefined || ms === null || !isFinite(ms) || ms < 0) return '';
    var s = Math.round(ms / 1000);
    if (s < 60) return s + ' s';
    var m = Math.floor(s / 60);
    if (m < 60) return m + ' m ' + String(s % 60).padStart(2, '0') + ' s';
    return Math.floor(m / 60) + ' h ' + String(m % 60).padStart(2, '0') + ' m';
  }
  /** how long something took, or has been running so far */
  function took(startedAt, finishedAt) { return startedAt ? duration((finishedAt || Date.now()) - startedAt) : ''; }
  function when(t) { return t ? new Date(t).toLocaleString() : ''; }
  function commitUrl(repository, sha) {
    return ctx.github + '/' + repository.split('/').map(encodeURIComponent).join('/') + '/commit/' + encodeURIComponent(sha);
  }
  function firstLine(text) { return (text || '').split('\n', 1)[0]; }

  var SGR = /\x1b\[([0-9;]*)m/g;
  var OTHER_ESCAPES = /\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b\[[0-9;?]*[A-Za-ln-z]|\x1b[()][A-Za-z0-9]/g;
  /** A log line's visible text, without its escape sequences (what ansi shows, as a string). */
  function plainText(line) { return line.slice(line.lastIndexOf('\r') + 1).replace(OTHER_ESCAPES, '').replace(SGR, ''); }
  /** A log line with its ANSI colours as spans; the text itself only ever goes in as textContent. */
  function ansi(line) {
    var text = line.slice(line.lastIndexOf('\r') + 1).replace(OTHER_ESCAPES, '');
    var out = document.createDocumentFragment();
    var style = { fg: -1, bg: -1, bold: false, dim: false, italic: false, underline: false };
    var at = 0;
    function emit(s) {
      if (!s) return;
      var cls = [];
      if (style.fg >= 0) cls.push('fg-' + style.fg);
      if (style.bg >= 0) cls.push('bg-' + style.bg);
      ['bold', 'dim', 'italic', 'underline'].forEach(function (k) { if (style[k]) cls.push('ansi-' + k); });
      if (cls.length === 0) out.append(s); else out.append(el('span', s, cls.join(' ')));
    }
    SGR.lastIndex = 0;
    for (var m = SGR.exec(text); m; m = SGR.exec(text)) {
      emit(text.slice(at, m.index));
      at = m.index + m[0].length;
      var codes = m[1] === '' ? [0] : m[1].split(';').map(Number);
      for (var i = 0; i < codes.length; i++) {
        var c = codes[i];
        if (c === 0) style = { fg: -1, bg: -1, bold: false, dim: false, italic: false, underline: false };
        else if (c === 1) style.bold = true; else if (c === 2) style.dim = true;
        else if (c === 3) style.italic = true; else if (c === 4) style.underline = true;
        else if (c === 22) { style.bold = false; style.dim = false; }
        else if (c === 23) style.italic = false; else if (c === 24) style.underline = false;
        else if (c >= 30 && c <= 37) style.fg = c - 30; else if (c >= 90 && c <= 97) style.fg = c - 90;
        else if (c === 39) style.fg = -1;
        else if (c >= 40 && c <= 47) style.bg = c - 40; else if (c >= 100 && c <= 107) style.bg = c - 100;
        else if (c === 49) style.bg = -1;
        else if (c === 38 || c === 48) {
          var key = c === 38 ? 'fg' : 'bg';
          if (codes[i + 1] === 5) { var n = codes[i + 2]; if (n < 16) style[key] = n % 8; i += 2; }
          else if (codes[i + 1] === 2) i += 4;
        }
      }
    }
    emit(text.slice(at));
    return out;
  }

  /** Shows why the page could not load: a sign-in link when that is the reason. */
  function failed(e) {
    var main = document.getElementById('main');
    if (e instanceof SignInNeeded && e.signIn) {
      var a = link(e.signIn + '?next=' + encodeURIComponent(location.pathname + location.search), 'Sign in with GitHub', 'button');
      a.id = 'signin';
      main.replaceChildren(el('p', 'Sign in to see builds and deploys.'), a);
      return;
    }
    main.replaceChildren(el('p', String(e && e.message || e), 'notice bad'));
  }

  /** Runs the page's main (async), unless nobody is signed in where sign-in is required: then offers it. */
  function start(main) {
    if (ctx.signIn && !session) return failed(new SignInNeeded('sign-in needed', ctx.signIn));
    Promise.resolve().then(main).catch(failed);
  }

  showWho();
  window.Slipway = { start: start,  el: el, link: link, getJson: getJson, post: post, session: session, confirmAction: confirmAction, focusIfLost: focusIfLost, duration: duration, took: took, when: when, commitUrl: commitUrl, firstLine: firstLine, ansi: ansi, plainText: plainText, failed: failed };
})();
`;
