// Page parts outside the charts that follow a topic: the overview's
// headline figures, a country's summary table and the milestone status
// tables of /roadmap and /milestones.

import { T, withLang } from './i18n.js';
import { $, $all, el, sourceText, missing, getJSON } from './dom.js';
import { fmt, fmtSigned, fmtYear, why } from './format.js';
import { onLive } from './live.js';
import { resizeCharts } from './charts.js';

export function headlines() {
  // The Code section states the cited facts (server-rendered); what hwfdash
  // received is shown apart, and only once something was received: until
  // then a panel says that answers arrive by submission, never "0 of 53".
  $all('[data-live="rounds"]').forEach(function (h) {
    const draw = function (p) {
      const rounds = p.rounds || [];
      const any = rounds.some(function (r) { return r.any_received; });
      rounds.forEach(function (r) {
        const f = $('.received-counts li[data-round="' + r.round + '"] [data-field="received"]', h);
        if (f) f.textContent = String(r.reported.length + r.not_reported.length);
      });
      const box = $('.received', h);
      if (!box || !any || box.dataset.state === 'received') return;
      box.dataset.state = 'received';
      $('.received-empty', box).hidden = true;
      const grid = $('.received-grid', box);
      grid.hidden = false;
      resizeCharts(grid);
    };
    getJSON('/api/v1/code/rounds').then(draw);
    onLive('rounds', draw);
  });
  $all('[data-live="milestones"][data-milestone]').forEach(function (h) {
    const id = h.dataset.milestone;
    const draw = function (p) {
      const m = (p.milestones || []).filter(function (x) { return x.id === id; })[0];
      if (!m || !m.region) return;
      const c = m.region.counts || {};
      $('[data-field="met"]', h).textContent = (c.met || 0) + ' ' + T('chart.of') + ' ' + m.region.total;
      const stale = $('[data-field="stale"]', h);
      if (stale) stale.textContent = c.stale ? ' (' + c.stale + ' ' + T('overview.stale') + ')' : '';
    };
    getJSON('/api/v1/milestones').then(draw);
    onLive('milestones', draw);
  });
}

export function summaryTable() {
  const names = {}; // indicator names in the page's language, from the first load
  $all('table.summary').forEach(function (t) {
    const iso3 = t.dataset.iso3;
    const draw = function (p) {
      const tb = $('tbody', t);
      const rows = [];
      (p.indicators || []).forEach(function (it) {
        const tr = el('tr');
        const name = el('td');
        const nm = names[it.indicator.id] = names[it.indicator.id] || it.indicator.name;
        const a = el('a', nm); a.href = withLang('/indicators/' + encodeURIComponent(it.indicator.id) + '?countries=' + iso3);
        name.appendChild(a); tr.appendChild(name);
        const code = it.indicator.kind === 'yesno';
        const latest = el('td'), year = el('td'), med = el('td'), ms = el('td'), src = el('td', '', 'source');
        if (it.latest) {
          latest.textContent = fmt(it.latest.value) + ' ' + (it.indicator.kind === 'yesno' ? '(' + (it.latest.value === 1 ? T('table.yes') : T('table.no')) + ')' : '');
          if (it.latest.series_break) latest.appendChild(el('span', ' ' + T('table.series_break'), 'flag'));
          if (it.latest.flag) { const f = el('span', ' ' + T('flag.' + it.latest.flag), 'flag'); f.title = why(it.latest.flag_why, it.latest.flag_note || ''); latest.appendChild(f); }
          if (it.stale) latest.appendChild(el('span', ' ' + T('status.stale'), 'flag'));
          year.textContent = String(it.latest.year);
          src.appendChild(sourceText(it.latest.source));
        } else {
          latest.appendChild(missing(code ? T('table.not_reported') : T('chart.no_data')));
          year.appendChild(missing('—'));
        }
        if (it.regional_median !== null && it.regional_median !== undefined) {
          // The year the median is of (the country's latest value's) and how
          // many Member States it is of: a regional figure never stands
          // without them.
          // The year and count stay on one line: a narrow embed would
          // otherwise give them a line each.
          med.textContent = fmt(it.regional_median) + ' ';
          med.appendChild(el('span', '(' + fmtYear(it.regional_year) + ', ' + it.regional_count + ' ' + T('table.countries') + ')', 'median-of'));
          if (it.regional_coverage && it.regional_coverage.low_coverage) med.appendChild(el('span', ' ' + T('coverage.low'), 'flag'));
        } else med.appendChild(missing('—'));
        // Distances that vary: descriptive comparisons, never targets.
        const d = it.distances;
        if (d) {
          const parts = [];
          if (d.headroom !== null && d.headroom !== undefined) parts.push(T('dist.headroom_short') + ' ' + fmtSigned(d.headroom));
          if (d.quartile) parts.push('Q' + d.quartile);
          // A change measured across a series break or an unverified jump
          // says so: it may be the series, not the workforce, that moved.
          const across = function (c) { return c.across_break ? ' (' + T('dist.across_break') + ')' : ''; };
          if (d.change_since_2010) parts.push(T('dist.since2010') + ' ' + fmtSigned(d.change_since_2010.absolute) + across(d.change_since_2010));
          if (d.change_last_5_years) parts.push(T('dist.last5') + ' ' + fmtSigned(d.change_last_5_years.absolute) + (d.change_last_5_years.declining ? ' (' + T('dist.declining') + ')' : '') + across(d.change_last_5_years));
          if (parts.length) {
            const dist = el('span', parts.join(' · '), 'muted distances' + (d.change_last_5_years && d.change_last_5_years.declining ? ' declining' : ''));
            dist.title = T('dist.label');
            med.appendChild(el('br'));
            med.appendChild(dist);
          }
        }
        (it.milestones || []).forEach(function (m) {
          const s = el('span', m.id + ': ' + T('status.' + m.result.status), 'status-' + m.result.status);
          s.title = why(m.result.why, m.result.reason);
          ms.appendChild(s); ms.appendChild(document.createTextNode(' '));
        });
        [latest, year, med, ms, src].forEach(function (c) { tr.appendChild(c); });
        rows.push(tr);
      });
      tb.replaceChildren.apply(tb, rows);
      t.dataset.state = 'ready';
    };
    getJSON(withLang('/api/v1/countries/' + iso3 + '/summary')).then(draw);
    onLive('country:' + iso3, draw);
  });
}

// roadmap keeps the milestone status tables of /roadmap and /milestones
// live: the page is rendered with the statuses of its version, and the
// "milestones" topic pushes every status again when a figure they depend
// on changes, so a committee screen never shows a stale status.
export function roadmap() {
  const tables = $all('table.roadmap-milestones, table.milestones');
  if (!tables.length) return;
  onLive('milestones', function (p) {
    const byId = {};
    (p.milestones || []).forEach(function (m) { byId[m.id] = m; });
    tables.forEach(function (t) {
      $all('tr[data-id]', t).forEach(function (tr) {
        const m = byId[tr.dataset.id];
        const cell = $('td.status', tr);
        if (!m || !m.region || !cell) return;
        const st = el('span', T('status.' + m.region.status), 'status-' + m.region.status);
        const counts = m.region.counts || {};
        // A reporting round counts the yes answers received by hwfdash.
        const met = (counts.met || 0) + (counts.received_yes || 0);
        const reason = el('span', ' (' + why(m.region.why, m.region.reason) + ')', 'muted');
        if (t.classList.contains('roadmap-milestones') && m.type !== 'list_membership') {
          const detail = el('span', ' ' + T('roadmap.met_count') + ' ' + met + ' ' + T('chart.of') + ' ' + m.region.total, 'muted count');
          cell.replaceChildren(st, detail, reason);
        } else {
          cell.replaceChildren(st, reason);
        }
        cell.dataset.status = m.region.status;
        cell.dataset.met = String(met);
      });
      t.dataset.version = String(p.version);
    });
  });
}
