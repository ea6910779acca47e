// The Upload dialog: which server, which folder (the server's upload
// folder unless another is chosen), which size, which kinds of file, and
// for a Nextcloud a public link to the folder, with an expiry date and a
// password if wanted. It starts the upload as a job that the Activity
// panel follows; the link shows in the job once the files are there.

import {h, select, checkbox, errorBox, busy} from './dom.js';
import {icon} from './icons.js';
import {post, loadAccounts, displayName} from './api.js';
import {SIZES, plural} from './format.js';
import {openDialog} from './dialog.js';
import {pickFolder} from './folderpicker.js';
import {trackJob} from './jobs.js';

/** EXPIRY are the choices of "Remove from the server after", in days. */
const EXPIRY = [['0', 'Never'], ['1', '1 day'], ['7', '7 days'], ['30', '30 days'], ['90', '90 days']];

/** openUploadDialog asks where and how to upload the photos of ids. */
export async function openUploadDialog(ids) {
  let accounts = [];
  try {
    accounts = await loadAccounts();
  } catch {
    accounts = [];
  }
  const d = openDialog({title: `Upload ${plural(ids.length, 'photo')}`, onSubmit: submit, className: 'upload-dialog'});
  d.el.id = 'upload-dialog';
  if (accounts.length === 0) {
    d.body.append(h('p', null, 'There is no server to upload to yet.'),
      h('p', null, h('a', {href: '/settings/backup', onclick: () => d.close()}, 'Add server'), ' in Settings → Backup first.'));
    d.actions.append(h('button', {type: 'button', onclick: () => d.close()}, 'Close'));
    return;
  }
  const usable = accounts.filter((a) => a.upload_enabled);
  const first = usable[0] || accounts[0];
  const server = select(accounts.map((a) => [a.id, a.upload_enabled ? displayName(a) : `${displayName(a)} (uploads off)`]), first.id, {id: 'upload-server', onchange: serverChanged});
  const folder = h('input', {id: 'upload-dialog-folder', autocomplete: 'off', spellcheck: 'false', value: first.upload_folder});
  const browse = h('button', {type: 'button', id: 'upload-browse', onclick: browseFolder}, icon('folder'), 'Browse…');
  const size = select(SIZES, first.upload_size, {id: 'upload-dialog-size'});
  const raw = checkbox('Include RAW files', {id: 'upload-raw', checked: true});
  const video = checkbox('Include videos', {id: 'upload-video', checked: true});
  const sidecars = checkbox('Include sidecars (XMP, AAE, JSON)', {id: 'upload-sidecars', checked: true});
  const expire = select(EXPIRY, '0', {id: 'upload-dialog-expire', 'aria-describedby': 'upload-dialog-expire-hint'});
  const share = shareFields(first);
  const error = errorBox();
  const submitBtn = h('button', {type: 'submit', class: 'primary', id: 'upload-start'}, icon('cloudUpload'), 'Upload');
  const offNote = h('p', {class: 'hint', id: 'upload-off-note', hidden: first.upload_enabled},
    'Uploads are turned off for this server. Turn them on in Settings → Backup.');

  d.body.append(
    h('div', {class: 'field'}, h('label', {for: 'upload-server'}, 'Server'), server, offNote),
    h('div', {class: 'field'}, h('label', {for: 'upload-dialog-folder'}, 'Folder'), h('div', {class: 'input-row'}, folder, browse)),
    h('div', {class: 'field'}, h('label', {for: 'upload-dialog-size'}, 'Size'), size,
      h('p', {class: 'hint'}, 'Smaller sizes apply to JPEG images; other files go as they are.')),
    h('fieldset', {class: 'checks'}, h('legend', null, 'Files'), raw, video, sidecars),
    h('div', {class: 'field'}, h('label', {for: 'upload-dialog-expire'}, 'Remove from the server after'), expire,
      h('p', {class: 'hint', id: 'upload-dialog-expire-hint'}, 'The files uploaded now are deleted from the server then, unless someone changed them.')),
    share.el,
    error);
  d.actions.append(h('button', {type: 'button', onclick: () => d.close()}, 'Cancel'), submitBtn);

  function account() {
    return accounts.find((a) => String(a.id) === server.value);
  }

  function serverChanged() {
    const a = account();
    folder.value = a.upload_folder;
    size.value = a.upload_size;
    offNote.hidden = a.upload_enabled;
    share.serverChanged(a);
    error.show('');
  }

  async function browseFolder() {
    const path = await pickFolder(account(), folder.value || '/');
    if (path) folder.value = path;
  }

  async function submit() {
    error.show('');
    const a = account();
    const body = {
      photos: ids,
      folder: folder.value.trim() || a.upload_folder,
      size: size.value,
      include_raw: raw.querySelector('input').checked,
      include_video: video.querySelector('input').checked,
      include_sidecars: sidecars.querySelector('input').checked,
    };
    if (expire.value !== '0') body.expire_days = Number(expire.value);
    const link = share.value();
    if (link.error) {
      error.show(link.error);
      link.focus.focus();
      return;
    }
    if (link.share) body.share = link.share;
    try {
      const job = await busy(submitBtn, 'Starting…', () => post(`/accounts/${a.id}/upload`, body));
      trackJob(job);
      d.close(job);
    } catch (err) {
      error.show(err.message);
    }
  }
}

// shareFields is the "Create a public link" part of the dialog: a
// checkbox that shows an expiry date and a password. Only Nextcloud makes
// links, so for other servers it says so instead.
function shareFields(account) {
  const on = h('input', {type: 'checkbox', id: 'upload-share', onchange: toggle});
  const expires = h('input', {type: 'date', id: 'upload-share-expires', min: isoDay(1), 'aria-describedby': 'upload-share-expires-hint'});
  // new-password keeps browsers from filling in a saved password.
  const password = h('input', {type: 'password', id: 'upload-share-password', autocomplete: 'new-password', 'aria-describedby': 'upload-share-password-hint'});
  const details = h('div', {class: 'share-options', id: 'upload-share-options', hidden: true},
    h('div', {class: 'field'}, h('label', {for: 'upload-share-expires'}, 'Link expires on'), expires,
      h('p', {class: 'hint', id: 'upload-share-expires-hint'}, 'Optional. The link stops working on this day.')),
    h('div', {class: 'field'}, h('label', {for: 'upload-share-password'}, 'Link password'), password,
      h('p', {class: 'hint', id: 'upload-share-password-hint'}, 'Optional. Visitors must type it; your Nextcloud may ask for a minimum length.')));
  const check = h('label', {class: 'check'}, on, h('span', null, 'Create a public link'));
  const note = h('p', {class: 'hint', id: 'upload-share-note'}, 'Public links need a Nextcloud server.');
  const el = h('fieldset', {class: 'checks', id: 'upload-share-fieldset'}, h('legend', null, 'Sharing'), check, details, note);

  function toggle() {
    details.hidden = !on.checked;
  }

  function serverChanged(a) {
    const nextcloud = a.type === 'nextcloud';
    on.disabled = !nextcloud;
    if (!nextcloud) on.checked = false;
    check.hidden = !nextcloud;
    note.hidden = nextcloud;
    toggle();
  }
  serverChanged(account);

  // value is {share} to send, {} for no link, or {error, focus}.
  function value() {
    if (!on.checked) return {};
    if (expires.value && expires.value < isoDay(1)) {
      return {error: 'Choose an expiry date after today, or none.', focus: expires};
    }
    const share = {};
    if (expires.value) share.expires = expires.value;
    if (password.value) share.password = password.value;
    return {share};
  }
  return {el, serverChanged, value};
}

// isoDay is the local date days from today, as YYYY-MM-DD.
function isoDay(days) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
