// The details of one photo: a larger thumbnail, its files, and for each
// file the servers it was uploaded to, where and when.

import {h} from './dom.js';
import {icon} from './icons.js';
import {accountName, get} from './api.js';
import {bytes, dateTime} from './format.js';
import {openDialog} from './dialog.js';
import {primaryFile, thumbURL} from './grid.js';

const ROLE = {primary: 'Main image', edited: 'Edited copy', image: 'Image', raw: 'RAW', video: 'Video', sidecar: 'Sidecar'};

/** SOURCE says where a date taken came from. */
const SOURCE = {exif: 'from EXIF', container: "from the video's container", name: 'from the file name', mtime: "from the file's modification time"};

/** seconds writes a duration as a player does: 0:07, 12:34, 1:02:03. */
function seconds(s) {
  const t = Math.round(s);
  const mm = String(Math.floor(t / 60) % 60).padStart(t >= 3600 ? 2 : 1, '0');
  const ss = String(t % 60).padStart(2, '0');
  return t >= 3600 ? `${Math.floor(t / 3600)}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** fileFacts are the rows of what one file says about itself (GET /photos/:id/details). */
function fileFacts(d) {
  const facts = [['Format', d.format]];
  if (d.camera) facts.push(['Camera', d.camera]);
  if (d.lens) facts.push(['Lens', d.lens]);
  if (d.taken_at) {
    const field = d.date_field ? ` (${d.date_field})` : '';
    facts.push(['Taken', `${dateTime(d.taken_at)}, ${SOURCE[d.taken_source] || d.taken_source}${field}`]);
  }
  if (d.width && d.height) facts.push(['Dimensions', `${d.width} × ${d.height}`]);
  if (d.duration_seconds) facts.push(['Duration', seconds(d.duration_seconds)]);
  if (d.preview) facts.push(['Preview', d.preview]);
  return h('dl', {class: 'facts file-facts'}, facts.map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, v))));
}

/** openPhotoDetails shows photo; onUpload opens the Upload dialog for it. */
export function openPhotoDetails(photo, accounts, onUpload) {
  const f = primaryFile(photo);
  const d = openDialog({title: f ? f.name : photo.name, wide: true, className: 'details'});
  const rows = photo.files.map((file) => h('tr', null,
    h('td', {'data-label': 'File'}, h('span', {class: 'path'}, file.name), file.problem ? h('span', {class: 'alert error inline'}, file.problem) : null,
      h('div', {class: 'file-details', 'data-file-id': file.id})),
    h('td', {'data-label': 'Kind'}, ROLE[file.role] || file.kind),
    h('td', {'data-label': 'Size'}, bytes(file.size)),
    h('td', {'data-label': 'Uploaded to'}, file.uploads.length === 0 ? h('span', {class: 'muted'}, 'Not uploaded')
      : h('ul', {class: 'uploads'}, file.uploads.map((u) => h('li', null,
        icon('cloudCheck'), h('strong', null, accountName(accounts, u.account_id)), ' ',
        h('span', {class: 'path'}, u.remote_path), ' ', h('span', {class: 'muted'}, dateTime(u.uploaded_at))))))));
  d.body.append(
    h('div', {class: 'details-top'},
      h('img', {class: 'details-thumb', src: thumbURL(photo, 'tile_500'), alt: `Preview of ${f ? f.name : photo.name}`}),
      h('dl', {class: 'facts'},
        h('div', null, h('dt', null, 'Folder'), h('dd', null, photo.folder || '(library root)')),
        h('div', null, h('dt', null, 'Taken'), h('dd', null, photo.taken_at ? dateTime(photo.taken_at) : 'Unknown')),
        h('div', null, h('dt', null, 'Files'), h('dd', null, String(photo.files.length))))),
    h('table', {class: 'table files-table'},
      h('caption', {class: 'sr-only'}, 'Files of this photo'),
      h('thead', null, h('tr', null, ['File', 'Kind', 'Size', 'Uploaded to'].map((t) => h('th', {scope: 'col'}, t)))),
      h('tbody', null, rows)));
  // What each file says about itself is read from the files now.
  get(`/photos/${photo.id}/details`).then((res) => {
    for (const fd of res.files || []) {
      const slot = d.body.querySelector(`.file-details[data-file-id="${fd.file_id}"]`);
      if (slot) slot.replaceChildren(fileFacts(fd));
    }
  }).catch(() => { /* the list above stands without them */ });
  d.actions.append(
    h('button', {type: 'button', onclick: () => d.close()}, 'Close'),
    h('button', {type: 'button', class: 'primary', onclick: () => {
      d.close();
      onUpload();
    }}, icon('cloudUpload'), 'Upload…'));
}
