// The site menu on a phone: the navigation and the language switch fold
// behind one button, so content starts right under the header. Without
// script (or on a wide screen) they stay in the header.

import { $ } from './dom.js';

export function siteMenu() {
  const header = $('header.site');
  const btn = $('.menu-toggle', header);
  if (!header || !btn) return;
  btn.hidden = false;
  header.classList.add('has-menu');
  btn.addEventListener('click', function () {
    const open = !header.classList.contains('open');
    header.classList.toggle('open', open);
    btn.setAttribute('aria-expanded', String(open));
  });
}
