// The Upload and Sync areas of a server: each a form saved on its own
// with PUT /api/v1/accounts/{id}, sending only its own fields.

import {h, append, select, checkbox, errorBox, busy, announce} from './dom.js';
import {icon} from './icons.js';
import {put, post} from './api.js';
import {SIZES, INTERVALS, interval, bytes, plural} from './format.js';
import {openDialog} from './dialog.js';
import {pickFolder} from './folderpicker.js';
import {trackJob} from './jobs.js';

// folderField is a labelled folder path with a Browse… button that opens
// the folder picker of account.
function folderField(account, id, label, value) {
  const input = h('input', {id, autocomplete: 'off', spellcheck: 'false', value});
  const browse = h('button', {type: 'button', id: `${id}-browse`, 'aria-label': `Browse for the ${label.toLowerCase()}`, onclick: async () => {
    const path = await pickFolder(account, input.value || '/');
    if (path) {
      input.value = path;
      input.dispatchEvent(new Event('input', {bubbles: true}));
    }
  }}, icon('folder'), h('span', null, 'Browse…'));
  return {input, el: h('div', {class: 'field'}, h('label', {for: id}, label), h('div', {class: 'input-row'}, input, browse))};
}

// formState wires a form's Save feedback: "Saved" after a save, cleared by
// the next change; dirty() tells whether there are unsaved changes.
function formState(form) {
  const status = h('span', {class: 'saved', role: 'status'});
  let dirty = false;
  form.addEventListener('input', () => {
    dirty = true;
    status.textContent = '';
  });
  return {status, dirty: () => dirty, saved: (text = 'Saved') => {
    dirty = false;
    status.replaceChildren(icon('check'), text);
  }};
}

/** uploadArea is the form of a server's upload settings. */
export function uploadArea(account, saved) {
  const enabled = checkbox('Allow uploads to this server', {id: 'upload-enabled', checked: account.upload_enabled});
  const folder = folderField(account, 'upload-folder', 'Upload folder', account.upload_folder);
  const size = select(SIZES, account.upload_size, {id: 'upload-size'});
  const error = errorBox();
  const save = h('button', {type: 'submit', class: 'primary', id: 'upload-save'}, 'Save');
  const form = h('form', {id: 'upload-form', novalidate: true, onsubmit: submit},
    enabled, folder.el,
    h('div', {class: 'field'}, h('label', {for: 'upload-size'}, 'Size'), size,
      h('p', {class: 'hint'}, 'JPEG images can be made smaller on the way; other files always go as they are.')),
    error);
  const state = formState(form);
  form.append(h('div', {class: 'form-actions'}, save, state.status));

  async function submit(e) {
    e.preventDefault();
    error.show('');
    const body = {upload_enabled: enabled.querySelector('input').checked, upload_folder: folder.input.value.trim() || '/', upload_size: size.value};
    try {
      const a = await busy(save, 'Saving…', () => put(`/accounts/${account.id}`, body));
      folder.input.value = a.upload_folder;
      state.saved();
      saved(a);
    } catch (err) {
      error.show(err.message);
    }
  }
  return h('section', {class: 'card area', id: 'upload-area', 'aria-labelledby': 'upload-area-title'},
    h('h3', {id: 'upload-area-title'}, icon('cloudUpload'), 'Upload'),
    h('p', {class: 'muted'}, 'Where the photos you upload from Photos go, unless you choose another folder.'),
    form);
}

/** syncArea is the form of a server's sync settings, with Sync now. */
export function syncArea(account, saved) {
  const intervals = INTERVALS.some(([s]) => s === account.sync_interval) ? INTERVALS
    : [...INTERVALS, [account.sync_interval, interval(account.sync_interval)]].sort((a, b) => a[0] - b[0]);
  const on = h('input', {type: 'checkbox', role: 'switch', id: 'sync-enabled', class: 'switch', checked: account.sync_enabled});
  const folder = folderField(account, 'sync-folder', 'Sync folder', account.sync_folder);
  const every = select(intervals, account.sync_interval, {id: 'sync-interval', 'aria-describedby': 'sync-interval-hint'});
  const opts = {
    sync_download: checkbox('Download remote files', {id: 'sync-download', checked: account.sync_download}),
    sync_upload: checkbox('Upload local files', {id: 'sync-upload', checked: account.sync_upload}),
    sync_on_change: checkbox('Back up new photos at once', {id: 'sync-on-change', checked: account.sync_on_change,
      title: 'Upload new library files seconds after they land, without waiting for the interval (needs Upload local files)'}),
    sync_preserve_names: checkbox('Keep file names', {id: 'sync-preserve-names', checked: account.sync_preserve_names}),
    sync_raw: checkbox('Sync RAW files', {id: 'sync-raw', checked: account.sync_raw}),
    sync_video: checkbox('Sync videos', {id: 'sync-video', checked: account.sync_video}),
  };
  const error = errorBox();
  error.id = 'sync-error';
  const save = h('button', {type: 'submit', class: 'primary', id: 'sync-save'}, 'Save');
  const now = h('button', {type: 'button', id: 'sync-now', onclick: syncNow}, icon('sync'), 'Sync now');
  const preview = h('button', {type: 'button', class: 'ghost', id: 'sync-preview', onclick: dryRun}, icon('eye'), 'Preview');
  const form = h('form', {id: 'sync-form', novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    submit();
  }},
  h('div', {class: 'switch-row'}, on, h('label', {for: 'sync-enabled'}, 'Sync this server')),
  folder.el,
  h('div', {class: 'field'}, h('label', {for: 'sync-interval'}, 'Interval'), every,
    h('p', {class: 'hint', id: 'sync-interval-hint'}, 'How often photosync syncs by itself. Never: only when you press Sync now.')),
  h('fieldset', {class: 'checks'}, h('legend', null, 'Options'), Object.values(opts)),
  error);
  const state = formState(form);
  form.append(h('div', {class: 'form-actions'}, save, now, preview, state.status));
  // A run held back what it would replace (or a large first sync): the
  // person reads what it would do and confirms.
  const review = account.status === 'needs_review' ? h('div', {class: 'alert warn review', id: 'sync-review', role: 'status'},
    h('p', null, icon('alert'), ' ', account.last_error || 'A sync waits for your confirmation.'),
    h('p', {class: 'hint'}, 'Nothing was replaced. Replaced library files are kept as versions (Settings → Versions); replaced server files are kept by the server.'),
    h('button', {type: 'button', class: 'primary', id: 'sync-confirm', onclick: confirmSync}, icon('sync'), 'Confirm and sync')) : null;
  if (review) form.prepend(review);

  async function confirmSync() {
    error.show('');
    try {
      const job = await busy(review.querySelector('button'), 'Starting…', () => post(`/accounts/${account.id}/sync`, {confirm: true}));
      trackJob(job);
      review.remove();
      state.saved('Sync started');
    } catch (err) {
      error.show(err.message);
    }
  }

  function body() {
    const b = {sync_enabled: on.checked, sync_folder: folder.input.value.trim() || '/', sync_interval: Number(every.value)};
    for (const [k, el] of Object.entries(opts)) b[k] = el.querySelector('input').checked;
    return b;
  }

  async function submit() {
    error.show('');
    try {
      const a = await busy(save, 'Saving…', () => put(`/accounts/${account.id}`, body()));
      folder.input.value = a.sync_folder;
      state.saved();
      saved(a);
      return true;
    } catch (err) {
      error.show(err.message);
      return false;
    }
  }

  async function syncNow() {
    error.show('');
    if (state.dirty() && !(await submit())) return; // sync what the form shows
    try {
      const job = await busy(now, 'Starting…', () => post(`/accounts/${account.id}/sync`, {dry_run: false}));
      trackJob(job);
      state.saved('Sync started');
    } catch (err) {
      error.show(err.missingRoute ? 'Sync is not available in this version of photosync yet.' : err.message);
    }
  }

  async function dryRun() {
    error.show('');
    if (state.dirty() && !(await submit())) return;
    try {
      const r = await busy(preview, 'Planning…', () => post(`/accounts/${account.id}/sync`, {dry_run: true}));
      showPlan(r.plan || [], r.create_folder);
    } catch (err) {
      error.show(err.missingRoute ? 'Sync is not available in this version of photosync yet.' : err.message);
    }
  }

  return h('section', {class: 'card area', id: 'sync-area', 'aria-labelledby': 'sync-area-title'},
    h('h3', {id: 'sync-area-title'}, icon('sync'), 'Sync'),
    h('p', {class: 'muted'}, 'Keeps a folder of the server and the library in step. Deletions are never copied.'),
    form);
}

const OPS = {
  download: 'Download', upload: 'Upload', update_local: 'Update local copy', upload_again: 'Upload again',
  keep_both: 'Keep both', remember_deletion: 'Remember deletion', skip: 'Skip',
};

// showPlan shows what a sync would do, without doing it.
function showPlan(plan, createFolder) {
  const d = openDialog({title: 'What Sync now would do', wide: true, className: 'plan-dialog'});
  const counts = {};
  for (const a of plan) counts[a.op] = (counts[a.op] || 0) + 1;
  if (createFolder) append(d.body, [h('p', {id: 'plan-create-folder'}, `The folder ${createFolder} does not exist on the server yet: the sync will create it.`)]);
  append(d.body, plan.length === 0
    ? h('p', null, createFolder ? 'Nothing to copy yet.' : 'Nothing to do: the server and the library are in step.')
    : [h('p', null, Object.entries(counts).map(([op, n]) => `${OPS[op] || op}: ${n}`).join(' · ')),
      h('table', {class: 'table plan'},
        h('caption', {class: 'sr-only'}, 'Planned actions'),
        h('thead', null, h('tr', null, ['Action', 'File', 'Size', 'Note'].map((t) => h('th', {scope: 'col'}, t)))),
        h('tbody', null, plan.map((a) => h('tr', null,
          h('td', {'data-label': 'Action'}, OPS[a.op] || a.op || ''),
          h('td', {'data-label': 'File'}, h('span', {class: 'path'}, a.local_path || a.remote_path || '')),
          h('td', {'data-label': 'Size'}, a.size ? bytes(a.size) : ''),
          h('td', {'data-label': 'Note'}, a.reason || '')))))]);
  d.actions.append(h('button', {type: 'button', class: 'primary', onclick: () => d.close()}, 'Close'));
  announce(`The plan has ${plural(plan.length, 'action')}.`);
}
