// The submission form: posts the pasted rows or a chosen file (.csv, .xlsx)
// with the submitter's token and lists what the server stored or refused,
// problem by problem, next to the line the clerk sees and in the page's
// language.

import { T, fill } from './i18n.js';
import { $, $all, el } from './dom.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

// The token is typed once per tab: it is kept in sessionStorage (gone when
// the tab closes, never in localStorage) and filled into every token field
// of the page.
const tokenKey = 'hwfdash.token';

function stored() { try { return sessionStorage.getItem(tokenKey) || ''; } catch (e) { return ''; } }

function tokenFields() { return $all('form.submit-form input[name="token"]'); }

export function keepToken() {
  const fields = tokenFields();
  const known = stored();
  fields.forEach(function (f) {
    if (known && !f.value) f.value = known;
    f.addEventListener('input', function () {
      try { sessionStorage.setItem(tokenKey, f.value); } catch (e) { /* storage refused: typed per form */ }
      fields.forEach(function (o) { if (o !== f) o.value = f.value; });
    });
  });
}

// forgetToken drops a token the server refused (401), everywhere.
export function forgetToken() {
  try { sessionStorage.removeItem(tokenKey); } catch (e) { /* nothing kept */ }
  tokenFields().forEach(function (f) { f.value = ''; });
}

function known(key) { const s = T(key); return s.charAt(0) === '\u27e6' ? '' : s; }

function where(fe, lined) {
  if (!fe.row) return T('submit.whole');
  return lined ? T('submit.line') + ' ' + fe.line : T('submit.row') + ' ' + fe.row;
}

// describe puts a problem in the page's language from its code and params,
// or gives the server's English message for a code the page does not know.
function describe(fe, lined) {
  const params = Object.assign({}, fe.params || {});
  if (fe.code === 'duplicate_row') {
    params.where = (lined ? T('submit.line') : T('submit.row')).toLowerCase() + ' ' + (lined ? params.line : params.row);
  }
  const text = fe.code ? known('submit.err.' + fe.code) : '';
  return text ? fill(text, params) : fe.message;
}

function fieldLabel(field) { return known('submit.field.' + field) || '“' + field + '”'; }

// problemsTable lists the problems by line: the line as the clerk wrote it
// (when it was typed or read from a CSV), then each field and problem.
function problemsTable(errors, lines) {
  const lined = errors.some(function (fe) { return fe.line > 0; });
  const table = el('table', null, 'submit-errors');
  table.id = 'submit-errors';
  table.appendChild(el('caption', T('submit.problems_caption')));
  const head = el('tr');
  [T('submit.where'), T('submit.column'), T('submit.problem')].forEach(function (h) { const th = el('th', h); th.scope = 'col'; head.appendChild(th); });
  table.appendChild(el('thead')).appendChild(head);
  const body = el('tbody');
  const seen = {};
  let group = null;
  errors.forEach(function (fe) {
    const msg = describe(fe, lined);
    const id = fe.row + '\u0000' + fe.field + '\u0000' + msg;
    if (seen[id]) return; // each message once
    seen[id] = true;
    const tr = el('tr');
    tr.dataset.row = fe.row;
    if (fe.line) tr.dataset.line = fe.line;
    tr.dataset.field = fe.field;
    if (fe.code) tr.dataset.code = fe.code;
    if (!group || group.row !== fe.row) {
      const th = el('th', where(fe, lined));
      th.scope = 'row';
      const written = fe.line && lines ? lines[fe.line - 1] : '';
      if (written) th.appendChild(el('code', written, 'as-written'));
      group = { row: fe.row, th: th, n: 0 };
      tr.appendChild(th);
    }
    group.n++;
    group.th.rowSpan = group.n;
    tr.appendChild(el('td', fieldLabel(fe.field)));
    tr.appendChild(el('td', msg));
    body.appendChild(tr);
  });
  table.appendChild(body);
  return table;
}

// payload is what the form sends: the chosen file, else the pasted rows.
function payload(form) {
  const file = form.file && form.file.files[0];
  if (!file) return Promise.resolve({ type: 'text/csv', body: form.csv.value, lines: form.csv.value.split(/\r?\n/), input: form.csv });
  const name = file.name.toLowerCase();
  if (name.endsWith('.xls')) return Promise.reject(new Error(T('submit.xls')));
  if (name.endsWith('.xlsx')) return Promise.resolve({ type: XLSX, body: file, lines: null, input: form.file });
  return file.text().then(function (text) { return { type: 'text/csv', body: file, lines: text.split(/\r?\n/), input: form.file }; });
}

export function submitForm() {
  const form = $('form.observations-form');
  if (!form) return;
  keepToken();
  const out = $('.submit-result');
  const inputs = [form.csv, form.file];
  const describedBy = {};
  inputs.forEach(function (i) { if (i) describedBy[i.name] = i.getAttribute('aria-describedby') || ''; });
  function reset() {
    inputs.forEach(function (i) { if (i) { i.removeAttribute('aria-invalid'); i.setAttribute('aria-describedby', describedBy[i.name]); } });
  }
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    reset();
    out.replaceChildren(el('p', T('submit.sending')));
    if (!form.csv.value.trim() && !(form.file && form.file.files.length)) {
      out.replaceChildren(el('p', T('submit.nothing'), 'error'));
      form.csv.focus();
      return;
    }
    let sent;
    payload(form).then(function (p) {
      sent = p;
      return fetch('/api/v1/observations', {
        method: 'POST',
        headers: { 'Content-Type': p.type, Authorization: 'Bearer ' + form.token.value },
        body: p.body,
      });
    }).then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); }).then(function (res) {
      const st = res[0], j = res[1];
      out.replaceChildren();
      if (st === 201) { out.appendChild(el('p', j.accepted + ' ' + T('submit.stored') + ' ' + j.version + '.', 'ok')); return; }
      if (st === 401) {
        forgetToken();
        out.appendChild(el('p', T('submit.unauthorized'), 'error'));
        form.token.focus();
        return;
      }
      const errors = j.errors || [];
      if (!errors.length) { out.appendChild(el('p', j.error, 'error')); return; }
      const summary = el('p', errors.length === 1 ? T('submit.problems_one') : fill(T('submit.problems'), { n: errors.length }), 'error');
      summary.id = 'submit-summary';
      out.appendChild(summary);
      out.appendChild(problemsTable(errors, sent.lines));
      sent.input.setAttribute('aria-invalid', 'true');
      sent.input.setAttribute('aria-describedby', (describedBy[sent.input.name] + ' submit-summary submit-errors').trim());
    }).catch(function (err) { out.replaceChildren(el('p', T('submit.failed') + ' ' + err.message, 'error')); });
  });
}
