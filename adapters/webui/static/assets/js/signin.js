// The sign-in page: the admin password, nothing else.

import {h, errorBox, busy} from './dom.js';
import {icon} from './icons.js';
import {post} from './api.js';

/**
 * signInPage returns the sign-in page; onSignedIn runs once the session
 * cookie is set. notice, when given, says why the page is shown (e.g. a
 * session that ended).
 */
export function signInPage(onSignedIn, notice) {
  const password = h('input', {id: 'signin-password', type: 'password', name: 'password', autocomplete: 'current-password', required: true});
  const error = errorBox();
  const button = h('button', {type: 'submit', class: 'primary wide'}, 'Sign in');
  const form = h('form', {class: 'card signin-card', novalidate: true, 'aria-labelledby': 'signin-title', onsubmit: async (e) => {
    e.preventDefault();
    error.show('');
    if (!password.value) {
      error.show('Enter the admin password.');
      password.focus();
      return;
    }
    try {
      await busy(button, 'Signing in…', () => post('/session', {password: password.value}));
    } catch (err) {
      error.show(err.message);
      password.select();
      password.focus();
      return;
    }
    onSignedIn();
  }},
  h('div', {class: 'brand-big'}, icon('logo'), h('span', null, 'photosync')),
  h('h1', {id: 'signin-title'}, 'Sign in'),
  notice ? h('p', {class: 'alert info'}, notice) : null,
  h('div', {class: 'field'},
    h('label', {for: 'signin-password'}, 'Password'),
    password,
    h('p', {class: 'hint'}, 'The admin password: printed on photosync\u2019s first start, or set with PHOTOSYNC_ADMIN_PASSWORD.')),
  error,
  button);
  const page = h('main', {class: 'signin', id: 'main'}, form);
  queueMicrotask(() => password.focus());
  return page;
}
