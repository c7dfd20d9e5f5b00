// The submission form: posts a CSV of observations with the submitter's
// token and lists what the server stored or refused, field by field.

import { T } from './i18n.js';
import { $, el } from './dom.js';

export function submitForm() {
  const form = $('form.submit-form');
  if (!form) return;
  const out = $('.submit-result');
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    out.textContent = T('submit.sending');
    fetch('/api/v1/observations', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: 'Bearer ' + form.token.value },
      body: form.csv.value,
    }).then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); }).then(function (res) {
      const st = res[0], j = res[1];
      out.replaceChildren();
      if (st === 201) { out.appendChild(el('p', j.accepted + ' ' + T('submit.stored') + ' ' + j.version + '.', 'ok')); return; }
      out.appendChild(el('p', j.error, 'error'));
      if (j.errors) {
        const ul = el('ul');
        j.errors.forEach(function (fe) { ul.appendChild(el('li', (fe.row ? T('submit.row') + ' ' + fe.row + ', ' : '') + fe.field + ': ' + fe.message)); });
        out.appendChild(ul);
      }
    }).catch(function (err) { out.textContent = T('submit.failed') + ' ' + err.message; });
  });
}
