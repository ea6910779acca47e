// The details of one photo: a larger thumbnail, its files, and for each
// file the servers it was uploaded to, where and when.

import {h} from './dom.js';
import {icon} from './icons.js';
import {accountName} from './api.js';
import {bytes, dateTime} from './format.js';
import {openDialog} from './dialog.js';
import {primaryFile, thumbURL} from './grid.js';

const ROLE = {primary: 'Main image', edited: 'Edited copy', image: 'Image', raw: 'RAW', video: 'Video', sidecar: 'Sidecar'};

/** openPhotoDetails shows photo; onUpload opens the Upload dialog for it. */
export function openPhotoDetails(photo, accounts, onUpload) {
  const f = primaryFile(photo);
  const d = openDialog({title: f ? f.name : photo.name, wide: true, className: 'details'});
  const rows = photo.files.map((file) => h('tr', null,
    h('td', {'data-label': 'File'}, h('span', {class: 'path'}, file.name), file.problem ? h('span', {class: 'alert error inline'}, file.problem) : null),
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
  d.actions.append(
    h('button', {type: 'button', onclick: () => d.close()}, 'Close'),
    h('button', {type: 'button', class: 'primary', onclick: () => {
      d.close();
      onUpload();
    }}, icon('cloudUpload'), 'Upload…'));
}
