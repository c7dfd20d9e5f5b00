// The admin import page: sends a publisher's file for review, shows the
// diff the server computed, and applies exactly that review (the server
// refuses it with 409 when the file or the data changed since). The admin
// token stays in the page and goes in the Authorization header only.

import { T, fill, optional } from './i18n.js';
import { $, el } from './dom.js';

// PROGRESS_POLL_MS is how often the progress bar asks how far the parse is.
const PROGRESS_POLL_MS = 500;

export function importForm() {
  const form = $('form.import-form');
  if (!form) return;
  const status = $('.import-status');
  const bar = $('progress.import-progress');
  const review = $('section.import-review');
  const applyButton = $('button.import-apply', review);
  let reviewed = null;

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    const file = form.file.files[0];
    if (!file) return;
    reviewed = null;
    review.hidden = true;
    send(file, {}).then(function (res) {
      if (res.status !== 200) { showError(res.body); return; }
      reviewed = { file: file, sha256: res.body.sha256, base: res.body.base_version };
      render(res.body);
      status.textContent = T('import.reviewed');
    });
  });

  applyButton.addEventListener('click', function () {
    if (!reviewed) return;
    applyButton.disabled = true;
    send(reviewed.file, { apply: 'true', sha256: reviewed.sha256, base_version: String(reviewed.base) }).then(function (res) {
      reviewed = null;
      if (res.status === 201) {
        const r = res.body.revision;
        status.replaceChildren(el('p', T('import.applied') + ' ' + r.version + ' (' + r.rows + ' ' + T('import.rows') + ').', 'ok'));
        applyButton.hidden = true;
        return;
      }
      if (res.status === 200) { status.replaceChildren(el('p', res.body.message || T('import.nothing'), 'ok')); return; }
      showError(res.body);
      applyButton.disabled = false;
    });
  });

  function showError(body) {
    status.replaceChildren(el('p', (body && body.error) || T('import.failed'), 'error'));
  }

  // send posts the file with the form's choices and extra parameters,
  // moving the progress bar through the upload and then the parse.
  function send(file, extra) {
    const id = Math.random().toString(36).slice(2, 12);
    const q = new URLSearchParams(Object.assign({
      format: form.format.value, file: file.name, progress: id,
      skip_rejected: form.skip_rejected.checked ? 'true' : 'false',
    }, extra));
    if (form.mapping.value.trim()) q.set('mapping', form.mapping.value.trim());
    const token = form.token.value;
    status.textContent = T('import.sending');
    bar.hidden = false;
    bar.value = 0;
    return new Promise(function (resolve) {
      const xhr = new XMLHttpRequest();
      let timer = 0;
      const poll = function () {
        fetch('/api/v1/admin/imports/progress/' + id, { headers: { Authorization: 'Bearer ' + token } })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (p) { if (p && p.total > 0) bar.value = p.bytes / p.total; })
          .catch(function () {})
          .finally(function () { if (timer) timer = setTimeout(poll, PROGRESS_POLL_MS); });
      };
      xhr.upload.onprogress = function (ev) { if (ev.lengthComputable) bar.value = ev.loaded / ev.total; };
      xhr.upload.onload = function () { bar.value = 0; timer = setTimeout(poll, PROGRESS_POLL_MS); };
      xhr.onloadend = function () {
        clearTimeout(timer);
        timer = 0;
        bar.value = 1;
        bar.hidden = true;
        let body = null;
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = null; }
        resolve({ status: xhr.status, body: body });
      };
      xhr.open('POST', '/api/v1/admin/imports?' + q.toString());
      xhr.setRequestHeader('Authorization', 'Bearer ' + token);
      xhr.setRequestHeader('Content-Type', 'application/octet-stream');
      xhr.send(file);
    });
  }

  function render(r) {
    $('.import-file', review).textContent = r.file + ' · ' + r.format + ' · ' + r.mapping + ' · ' + r.source +
      ' (' + r.vintage + ') · SHA-256 ' + r.sha256 + ' · ' + T('import.base') + ' ' + r.base_version;
    const tally = $('dl.import-tally', review);
    tally.replaceChildren();
    ['new', 'changed', 'unchanged', 'ignored', 'rejected'].forEach(function (k) {
      const dt = el('dt', T('import.' + k));
      const dd = el('dd', String(r.tally[k]));
      dd.dataset.kind = k;
      tally.append(dt, dd);
    });
    fillRows($('table.import-counts tbody', review), r.counts, function (c) {
      return [c.indicator, c.iso3, c.new, c.changed, c.unchanged];
    });
    fillRows($('table.import-changes tbody', review), r.changes, function (c) {
      return [T('import.' + c.kind), c.new.indicator, c.new.iso3, c.new.year, c.old ? figure(c.old) : '—', figure(c.new), c.line];
    });
    const ignored = $('ul.import-ignored', review);
    ignored.replaceChildren();
    r.ignored.forEach(function (ig) {
      const reason = said('import.why.', ig.code, ig.params, '', ig.reason);
      ignored.appendChild(el('li', T('import.ignored') + ': ' + ig.rows + ' × ' + reason + (ig.area ? ' ' + ig.area : '')));
    });
    fillRows($('table.import-rejected tbody', review), r.rejected, function (p) {
      return [p.line, p.field, p.value || '', said('import.err.', p.code, p.params, p.value, p.message)];
    });
    $('table.import-rejected', review).hidden = r.rejected.length === 0;
    const writes = r.tally.new + r.tally.changed;
    applyButton.hidden = writes === 0;
    applyButton.disabled = false;
    applyButton.textContent = T('import.apply') + ' (' + writes + ')';
    review.hidden = false;
  }
}

// said puts a rejected row's problem or an ignored row's reason in the
// page's language from its code, or gives the server's English text for a
// code the page does not know.
function said(prefix, code, params, value, english) {
  const text = code ? optional(prefix + code) : undefined;
  return text ? fill(text, Object.assign({ value: value || '' }, params || {})) : english;
}

function figure(o) {
  let s = String(o.value);
  if (o.series_break) s += ' [' + T('import.break') + ']';
  if (o.estimate) s += ' [' + T('import.estimate') + ']';
  return s;
}

function fillRows(tbody, items, cells) {
  tbody.replaceChildren();
  items.forEach(function (it) {
    const tr = el('tr');
    cells(it).forEach(function (c) { tr.appendChild(el('td', String(c))); });
    tbody.appendChild(tr);
  });
}
