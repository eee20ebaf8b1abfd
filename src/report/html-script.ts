/**
 * The report's script: renders the matrix from the embedded data, PAGE rows at a time (more on scroll), so
 * 5,000 hosts stay light. Filters and the opened host live in the URL's #fragment (shareable, and how the
 * tests drive it). Every string from the data goes in through textContent, never as markup.
 */
export const SCRIPT = `(function () {
  'use strict';
  var PAGE = 500;
  var data = JSON.parse(document.getElementById('audit-data').textContent);
  var $ = function (id) { return document.getElementById(id); };
  var rows = $('rows'), more = $('more'), shown = $('shown');
  var statusSel = $('status'), checkSel = $('check'), query = $('q');
  var list = [], next = 0;
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function wanted(h) {
    var s = statusSel.value, c = checkSel.value, q = query.value.toLowerCase();
    if (q && h.h.toLowerCase().indexOf(q) < 0) return false;
    if (c !== '') {
      var cell = h.c[data.checks.indexOf(c)];
      return s === '' ? cell !== '' : cell === s;
    }
    return s === '' || h.v === s || h.c.indexOf(s) >= 0;
  }
  function row(h, i) {
    var tr = el('tr', 'host');
    tr.setAttribute('data-i', String(i));
    var th = el('th', 'name');
    th.appendChild(el('button', '', h.h));
    tr.appendChild(th);
    if (h.t !== undefined) {
      var td = el('td', 's-' + h.c[0], h.t);
      td.colSpan = Math.max(1, data.checks.length);
      tr.appendChild(td);
    } else h.c.forEach(function (s) { tr.appendChild(el('td', s ? 's-' + s : 'none', s || '-')); });
    return tr;
  }
  function pre(text) { return el('pre', '', text); }
  function details(h) {
    var box = el('div', 'detail-box');
    (h.n || []).forEach(function (n) { box.appendChild(el('p', 'note', 'note: ' + n)); });
    if (h.f) {
      box.appendChild(el('h4', '', 'host ' + (h.f.reason ? 'unreachable: ' + h.f.reason : 'failed') + ' at ' + h.f.stage));
      box.appendChild(pre(h.f.detail));
      if (h.f.hostKey) {
        var k = h.f.hostKey;
        var lines = ['presented: ' + k.type + ' ' + k.fingerprint].concat(k.recorded.map(function (r) {
          return 'known_hosts: ' + r.file + ':' + r.line + ' ' + r.type + ' ' + r.fingerprint;
        }));
        box.appendChild(pre(lines.join('\\n')));
      }
    }
    h.r.forEach(function (r) {
      var head = el('h4', '', r.check + ' ');
      head.appendChild(el('span', 'badge s-' + r.status, r.status));
      box.appendChild(head);
      box.appendChild(pre(r.summary));
      (r.warnings || []).forEach(function (w) { box.appendChild(pre('warning: ' + w)); });
      if (r.explain) box.appendChild(pre(r.explain.join('\\n')));
      if (r.plan !== undefined) {
        var d = el('details', 'plan');
        d.appendChild(el('summary', '', 'plan (JSON)'));
        d.appendChild(pre(JSON.stringify(r.plan, null, 2)));
        box.appendChild(d);
      }
    });
    var tr = el('tr', 'detail');
    var td = el('td');
    td.colSpan = data.checks.length + 1;
    td.appendChild(box);
    tr.appendChild(td);
    return tr;
  }
  function toggle(tr) {
    var open = tr.nextSibling;
    if (open && open.className === 'detail') { open.remove(); return; }
    tr.after(details(data.hosts[Number(tr.getAttribute('data-i'))]));
  }
  function page() {
    var end = Math.min(list.length, next + PAGE);
    var frag = document.createDocumentFragment();
    for (; next < end; next++) frag.appendChild(row(data.hosts[list[next]], list[next]));
    rows.appendChild(frag);
    shown.textContent = 'showing ' + next + ' of ' + list.length + ' matching hosts (' + data.hosts.length + ' in all)';
    more.hidden = next >= list.length;
    more.textContent = 'show ' + Math.min(PAGE, list.length - next) + ' more';
  }
  function apply() {
    list = [];
    data.hosts.forEach(function (h, i) { if (wanted(h)) list.push(i); });
    rows.textContent = '';
    next = 0;
    page();
  }
  function fromHash() {
    var p = new URLSearchParams(location.hash.slice(1));
    statusSel.value = p.get('status') || '';
    checkSel.value = p.get('check') || '';
    query.value = p.get('q') || '';
    apply();
    var name = p.get('open');
    if (name === null) return;
    var trs = rows.querySelectorAll('tr.host');
    for (var i = 0; i < trs.length; i++)
      if (data.hosts[Number(trs[i].getAttribute('data-i'))].h === name) toggle(trs[i]);
  }
  function toHash() {
    var p = new URLSearchParams();
    if (statusSel.value) p.set('status', statusSel.value);
    if (checkSel.value) p.set('check', checkSel.value);
    if (query.value) p.set('q', query.value);
    history.replaceState(null, '', '#' + p.toString());
    apply();
  }
  [statusSel, checkSel].forEach(function (s) { s.addEventListener('change', toHash); });
  query.addEventListener('input', toHash);
  rows.addEventListener('click', function (e) {
    var tr = e.target.closest('tr.host');
    if (tr) toggle(tr);
  });
  more.addEventListener('click', page);
  if ('IntersectionObserver' in window)
    new IntersectionObserver(function (es) { if (es[0].isIntersecting && !more.hidden) page(); }).observe(more);
  window.addEventListener('hashchange', fromHash);
  fromHash();
  document.documentElement.setAttribute('data-ready', 'yes');
})();
`;
