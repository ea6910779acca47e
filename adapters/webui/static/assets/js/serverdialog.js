// The Add server and Edit server dialogs. photosync tests the connection
// before it saves anything; when that fails, the API's message (wrong
// password, nothing at that address, untrusted certificate, ...) is shown
// in the dialog, and the person can correct the fields and try again.

import {h, errorBox, busy} from './dom.js';
import {post, put, displayName} from './api.js';
import {openDialog} from './dialog.js';

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
    error);
  d.actions.append(h('button', {type: 'button', onclick: () => d.close(null)}, 'Cancel'), submitBtn);

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
