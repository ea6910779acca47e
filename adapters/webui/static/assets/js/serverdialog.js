// The Add server and Edit server dialogs. photosync tests the connection
// before it saves anything; when that fails, the API's message (wrong
// password, nothing at that address, untrusted certificate, ...) is shown
// in the dialog, and the person can correct the fields and try again.
// Adding a Nextcloud can also go through "Sign in with Nextcloud" (Login
// Flow v2): the person signs in on their Nextcloud in a new tab, and
// photosync gets an app password of its own, never their password.

import {h, errorBox, busy, announce} from './dom.js';
import {get, post, put, displayName} from './api.js';
import {openDialog} from './dialog.js';

const POLL_MS = 2000;

/**
 * serverDialog asks for a server's address and credentials and connects
 * it, or changes existing (an account) when given. It resolves to the
 * saved account, or null when cancelled.
 */
export function serverDialog(existing) {
  const editing = !!existing;
  const d = openDialog({title: editing ? `Edit ${displayName(existing)}` : 'Add server', onSubmit: submit, className: 'server-dialog'});
  d.el.id = 'server-dialog';
  const url = h('input', {id: 'server-url', name: 'url', inputmode: 'url', autocomplete: 'url', spellcheck: 'false', autocapitalize: 'off', placeholder: 'cloud.example.com', value: editing ? existing.url : ''});
  const user = h('input', {id: 'server-username', name: 'username', autocomplete: 'username', spellcheck: 'false', autocapitalize: 'off', value: editing ? existing.username : ''});
  // new-password keeps browsers from filling in photosync's own password.
  const password = h('input', {id: 'server-password', name: 'password', type: 'password', autocomplete: 'new-password',
    placeholder: editing ? 'Unchanged' : ''});
  const name = h('input', {id: 'server-name', name: 'name', autocomplete: 'off', value: editing ? existing.name : '', placeholder: 'e.g. Home NAS'});
  const timeout = h('input', {id: 'server-timeout', name: 'timeout', type: 'number', min: '1', max: '3600', inputmode: 'numeric', value: editing ? String(existing.timeout) : ''});
  const ca = h('textarea', {id: 'server-ca', name: 'ca_cert', rows: '4', spellcheck: 'false', placeholder: '-----BEGIN CERTIFICATE-----'});
  const error = errorBox();
  error.id = 'server-error';
  const submitBtn = h('button', {type: 'submit', class: 'primary', id: 'server-connect'}, editing ? 'Save' : 'Connect');

  const hint = (id, text) => h('p', {class: 'hint', id}, text);
  url.setAttribute('aria-describedby', 'server-url-hint');
  password.setAttribute('aria-describedby', 'server-password-hint');
  d.body.append(
    h('div', {class: 'field'}, h('label', {for: 'server-url'}, 'Server URL'), url,
      hint('server-url-hint', 'For Nextcloud, the address you open in the browser; for other servers, the WebDAV address.')),
    h('div', {class: 'field'}, h('label', {for: 'server-username'}, 'Username'), user),
    h('div', {class: 'field'}, h('label', {for: 'server-password'}, 'Password'), password,
      hint('server-password-hint', editing
        ? 'Leave empty to keep the stored password.'
        : 'For Nextcloud, an app password (Personal settings → Security) is best. It is stored encrypted.')),
    h('details', {class: 'more-options'}, h('summary', null, 'More options'),
      h('div', {class: 'field'}, h('label', {for: 'server-name'}, 'Name'), name),
      h('div', {class: 'field'}, h('label', {for: 'server-timeout'}, 'Timeout (seconds)'), timeout),
      h('div', {class: 'field'}, h('label', {for: 'server-ca'}, 'CA certificate (PEM)'), ca,
        hint('server-ca-hint', editing && existing.has_ca_cert
          ? 'A certificate is stored; paste another to replace it.'
          : 'Only for a server whose certificate comes from your own certificate authority.'))),
    // append() would show a null as the text "null": add the sign-in
    // area only when adding a server.
    ...(editing ? [] : [signInArea()]),
    error);
  d.actions.append(h('button', {type: 'button', onclick: () => d.close(null)}, 'Cancel'), submitBtn);

  // signInArea offers Login Flow v2 beside the password form.
  function signInArea() {
    const button = h('button', {type: 'button', id: 'server-signin-nextcloud', onclick: signIn}, 'Sign in with Nextcloud');
    const status = h('div', {class: 'signin-status', id: 'server-signin-status', role: 'status', hidden: true});
    return h('div', {class: 'field signin-nextcloud'},
      h('p', {class: 'hint', id: 'server-signin-hint'},
        'Nextcloud? Sign in there instead of typing your password here: photosync gets an app password of its own.'),
      h('div', {class: 'input-row'}, button), status);

    async function signIn() {
      error.show('');
      if (!url.value.trim()) {
        error.show('Enter the address of your Nextcloud.');
        url.focus();
        return;
      }
      const body = {url: url.value.trim()};
      if (name.value.trim()) body.name = name.value.trim();
      if (timeout.value && Number.isInteger(Number(timeout.value))) body.timeout = Number(timeout.value);
      if (ca.value.trim()) body.ca_cert = ca.value.trim();
      let flow;
      try {
        flow = await busy(button, 'Starting…', () => post('/login-flows', body));
      } catch (err) {
        error.show(err.missingRoute ? 'Sign in with Nextcloud is not available in this version of photosync.' : err.message);
        url.focus();
        return;
      }
      // The new tab must not reach back into photosync (noopener), nor learn
      // its address (noreferrer). A blocked pop-up leaves the link.
      window.open(flow.login_url, '_blank', 'noopener,noreferrer');
      status.hidden = false;
      status.replaceChildren(
        h('p', {class: 'signin-wait'}, h('span', {class: 'spinner', 'aria-hidden': 'true'}),
          'Sign in to Nextcloud in the new tab and grant access; this dialog goes on by itself.'),
        h('p', {class: 'hint'}, 'No tab opened? ',
          h('a', {href: flow.login_url, target: '_blank', rel: 'noopener noreferrer', id: 'server-signin-link'}, 'Open the Nextcloud sign-in page'),
          '.'));
      announce('Waiting for you to sign in to Nextcloud.', {visual: false});
      button.disabled = true;
      try {
        const account = await waitForGrant(flow.id);
        if (account) d.close(account);
      } catch (err) {
        status.hidden = true;
        error.show(err.message);
      } finally {
        button.disabled = false;
      }
    }
  }

  // waitForGrant polls a sign-in until it is done (its account), fails
  // (throws) or the dialog closes (null). A Nextcloud that cannot be
  // reached for a moment is asked again.
  async function waitForGrant(id) {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (!d.el.isConnected) return null;
      try {
        const flow = await get(`/login-flows/${encodeURIComponent(id)}`);
        if (flow.state === 'done') return flow.account;
      } catch (err) {
        if (err.code !== 'EUNAVAILABLE' && err.code !== 'ENETWORK') throw err;
      }
    }
  }

  async function submit() {
    error.show('');
    if (!url.value.trim()) {
      error.show('Enter the server URL.');
      url.focus();
      return;
    }
    const body = {url: url.value.trim(), username: user.value.trim()};
    if (password.value || !editing) body.password = password.value;
    if (name.value.trim() || editing) body.name = name.value.trim();
    if (timeout.value) {
      const n = Number(timeout.value);
      if (!Number.isInteger(n) || n < 1) {
        error.show('The timeout is a whole number of seconds.');
        timeout.focus();
        return;
      }
      body.timeout = n;
    }
    if (ca.value.trim()) body.ca_cert = ca.value.trim();
    try {
      const account = await busy(submitBtn, editing ? 'Saving…' : 'Connecting…',
        () => (editing ? put(`/accounts/${existing.id}`, body) : post('/accounts', body)));
      d.close(account);
    } catch (err) {
      error.show(err.message);
      // The password is the usual culprit; otherwise the address.
      (err.code === 'EUNAUTHORIZED' ? password : url).focus();
    }
  }
  return d.closed.then((v) => v || null);
}
