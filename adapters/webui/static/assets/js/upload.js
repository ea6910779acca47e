// The Upload dialog: which server, which folder (the server's upload
// folder unless another is chosen), which size, which kinds of file. It
// starts the upload as a job that the Activity panel follows.

import {h, select, checkbox, errorBox, busy} from './dom.js';
import {icon} from './icons.js';
import {post, loadAccounts, displayName} from './api.js';
import {SIZES, plural} from './format.js';
import {openDialog} from './dialog.js';
import {pickFolder} from './folderpicker.js';
import {trackJob} from './jobs.js';

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
    try {
      const job = await busy(submitBtn, 'Starting…', () => post(`/accounts/${a.id}/upload`, body));
      trackJob(job);
      d.close(job);
    } catch (err) {
      error.show(err.message);
    }
  }
}
