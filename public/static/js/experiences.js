// Country experiences: the feed (/experiences, filtered in the URL) and a
// country page's list, both live, and the form that submits one.

import { T, lang, withLang } from './i18n.js';
import { $, $all, el, announce, getJSON } from './dom.js';
import { onLive } from './live.js';
import { forgetToken } from './submit.js';

// safeLink says whether a submitted link may become a hyperlink: only
// absolute http(s) addresses, whatever the server let through.
function safeLink(s) {
  if (!/^https?:\/\//i.test(s || '')) return false;
  try { const u = new URL(s); return (u.protocol === 'http:' || u.protocol === 'https:') && !!u.host; } catch (e) { return false; }
}

// Every submitted string reaches the page through textContent (el) or an
// attribute set by property: never as markup.
function experienceItem(e, ctx) {
  const li = el('li', null, 'exp');
  li.dataset.id = e.id;
  const art = el('article');
  art.appendChild(el('h3', e.title, 'exp-title'));
  const meta = el('p', null, 'exp-meta muted');
  const country = ctx.countryName(e.iso3);
  const parts = [];
  if (!ctx.country) parts.push(country);
  parts.push(T('exp.topic.' + e.topic), e.date);
  meta.appendChild(document.createTextNode(parts.join(' · ') + ' · ' + T('exp.by') + ' '));
  meta.appendChild(el('span', e.author, 'exp-author'));
  if (ctx.country === '') {
    const ca = el('a', T('exp.country_page'));
    ca.href = withLang('/countries/' + encodeURIComponent(e.iso3));
    meta.appendChild(document.createTextNode(' · '));
    meta.appendChild(ca);
  }
  art.appendChild(meta);
  art.appendChild(el('div', e.text, 'exp-text'));
  const refs = el('p', null, 'exp-refs');
  let any = false;
  (e.indicators || []).forEach(function (id) {
    const a = el('a', (ctx.refs.indicators || {})[id] || id);
    a.href = withLang('/indicators/' + encodeURIComponent(id) + '?countries=' + encodeURIComponent(e.iso3));
    refs.appendChild(document.createTextNode(any ? ' · ' : T('exp.related') + ' '));
    refs.appendChild(a);
    any = true;
  });
  (e.milestones || []).forEach(function (id) {
    const a = el('a', id);
    a.href = withLang('/milestones');
    a.title = (ctx.refs.milestones || {})[id] || id;
    refs.appendChild(document.createTextNode(any ? ' · ' : T('exp.related') + ' '));
    refs.appendChild(a);
    const mt = (ctx.refs.milestones || {})[id] || '';
    refs.appendChild(document.createTextNode(' ' + (mt.length > 90 ? mt.slice(0, 88) + '…' : mt)));
    any = true;
  });
  if (any) art.appendChild(refs);
  if (e.link && safeLink(e.link)) {
    const lp = el('p', T('exp.link') + ' ', 'exp-link');
    const la = el('a', e.link);
    la.href = e.link;
    la.rel = 'noopener noreferrer nofollow ugc';
    lp.appendChild(la);
    art.appendChild(lp);
  }
  li.appendChild(art);
  return li;
}

export function experiences() {
  $all('section.experiences').forEach(function (sec) {
    const list = $('.exp-list', sec), none = $('.exp-none', sec), errP = $('.exp-error', sec), more = $('.exp-more', sec);
    let refs = {};
    try { refs = JSON.parse(sec.dataset.refs || '{}'); } catch (e) { refs = {}; }
    const names = {};
    $all('select[name="country"] option', $('form.exp-filter') || document.createElement('div')).forEach(function (o) { if (o.value) names[o.value] = o.textContent; });
    if (sec.dataset.country && sec.dataset.countryName) names[sec.dataset.country] = sec.dataset.countryName;
    const feed = sec.dataset.feed === 'true';
    // On the country page the country is fixed; in the feed it is a filter.
    const ctx = { country: feed ? '' : sec.dataset.country, refs: refs, countryName: function (c) { return names[c] || c; } };
    let filter = { country: sec.dataset.country || '', topic: sec.dataset.topic || '', indicator: sec.dataset.indicator || '' };
    const seen = {}; // id -> newest version shown or removed, so an older notice never undoes a newer one
    let next = null, loadSeq = 0;

    function matches(e) {
      return (!filter.country || e.iso3 === filter.country) && (!filter.topic || e.topic === filter.topic) &&
        (!filter.indicator || (e.indicators || []).indexOf(filter.indicator) >= 0);
    }
    function refresh() {
      const n = list.children.length;
      none.hidden = n > 0;
      more.hidden = !next;
      list.dataset.state = 'ready';
      list.dataset.count = n;
    }
    function place(e) {
      const old = $('li[data-id="' + Number(e.id) + '"]', list);
      const li = experienceItem(e, ctx);
      if (old) { list.replaceChild(li, old); return; }
      const after = $all('li', list).filter(function (x) { return Number(x.dataset.id) < e.id; })[0];
      list.insertBefore(li, after || null);
    }
    function query(before) {
      const q = new URLSearchParams();
      Object.keys(filter).forEach(function (k) { if (filter[k]) q.set(k, filter[k]); });
      if (before) q.set('before', before);
      return '/api/v1/experiences?' + q.toString();
    }
    function load(url, append) {
      const seq = ++loadSeq;
      list.dataset.state = 'loading';
      return getJSON(url).then(function (res) {
        if (seq !== loadSeq) return; // a newer filter won
        if (!append) list.replaceChildren();
        res.experiences.forEach(function (e) {
          if (seen[e.id] && seen[e.id] > e.version) return;
          seen[e.id] = e.version;
          place(e);
        });
        next = res.next || null;
        errP.hidden = true;
        refresh();
      }).catch(function (err) {
        errP.textContent = T('exp.error') + ' ' + err.message;
        errP.hidden = false;
        list.dataset.state = 'error';
      });
    }
    function reload() { next = null; return load(query(), false); }
    more.addEventListener('click', function () { if (next) load(next, true); });

    const topic = feed ? 'experiences' : 'experiences:' + sec.dataset.country;
    onLive(topic, function (p) {
      if (!p || !p.action) return;
      if (p.action === 'resync') { reload(); return; }
      const e = p.experience || {};
      if (seen[e.id] && seen[e.id] > e.version) return;
      seen[e.id] = e.version;
      const old = $('li[data-id="' + Number(e.id) + '"]', list);
      if (p.action === 'hidden' || e.hidden) {
        if (old) { old.remove(); announce(T('exp.hidden')); }
      } else if (matches(e)) {
        place(e);
        announce(T('exp.new') + ' ' + e.title);
      }
      refresh();
    });

    const form = $('form.exp-filter');
    if (feed && form) {
      form.addEventListener('change', function () {
        filter = { country: form.country.value, topic: form.topic.value, indicator: form.indicator.value };
        const q = new URLSearchParams();
        Object.keys(filter).forEach(function (k) { if (filter[k]) q.set(k, filter[k]); });
        if (lang !== 'en') q.set('lang', lang);
        history.replaceState(null, '', location.pathname + (q.toString() ? '?' + q.toString() : ''));
        reload();
      });
      form.addEventListener('submit', function (e) { e.preventDefault(); });
    }
    reload();
  });
}

export function experienceForm() {
  const form = $('form.experience-form');
  if (!form) return;
  const out = $('.experience-result');
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    const picked = function (sel) { return Array.prototype.filter.call(sel.options, function (o) { return o.selected; }).map(function (o) { return o.value; }); };
    const body = {
      iso3: form.iso3.value, title: form.title.value, date: form.date.value, topic: form.topic.value,
      indicators: picked(form.indicators), milestones: picked(form.milestones), text: form.text.value,
    };
    if (form.link.value.trim()) body.link = form.link.value.trim();
    out.textContent = T('submit.sending');
    fetch('/api/v1/experiences', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + form.token.value },
      body: JSON.stringify(body),
    }).then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); }).then(function (res) {
      const st = res[0], j = res[1];
      out.replaceChildren();
      if (st === 201) {
        const ok = el('p', T('submit.exp_stored') + ' ' + j.experience.id + '. ', 'ok');
        const a = el('a', T('submit.exp_view'));
        a.href = withLang('/countries/' + encodeURIComponent(j.experience.iso3));
        ok.appendChild(a);
        out.appendChild(ok);
        return;
      }
      if (st === 401) forgetToken(); // typed again, for both forms of the page
      out.appendChild(el('p', j.error, 'error'));
      if (j.errors) {
        const ul = el('ul');
        j.errors.forEach(function (fe) { ul.appendChild(el('li', fe.field + ': ' + fe.message)); });
        out.appendChild(ul);
      }
    }).catch(function (err) { out.textContent = T('submit.failed') + ' ' + err.message; });
  });
}
