// The Photos page: the library as a grid, filtered by text and kind, loaded
// a page at a time as it scrolls, with a selection to upload.

import {h, select, busy, debounce, announce, replace} from './dom.js';
import {icon} from './icons.js';
import {get, post, query, loadAccounts} from './api.js';
import {plural} from './format.js';
import {PhotoGrid} from './grid.js';
import {openMenu, closeMenu} from './menu.js';
import {onJob, trackJob} from './jobs.js';
import {openUploadDialog} from './upload.js';
import {openPhotoDetails} from './photodetails.js';

const PAGE = 120;
const KINDS = [['', 'All kinds'], ['image', 'Images'], ['raw', 'RAW files'], ['video', 'Videos'], ['sidecar', 'With sidecars']];

/** photosPage returns the Photos page. */
export function photosPage() {
  let total = 0;
  let loading = false;
  let loadedAll = false;
  let generation = 0; // a new filter makes older answers stale
  let accounts = [];

  const grid = new PhotoGrid({onChange: selectionChanged, onOpen: details, onMenu: menu});
  grid.el.addEventListener('selectall', () => selectAll());
  const search = h('input', {type: 'search', id: 'photo-search', placeholder: 'Search by name or folder', autocomplete: 'off', spellcheck: 'false', oninput: debounce(reset, 250)});
  const kind = select(KINDS, '', {id: 'photo-kind', onchange: reset});
  const count = h('p', {class: 'count', id: 'photo-count', 'aria-live': 'polite'});
  const selInfo = h('span', {class: 'selection-info', id: 'selection-info'});
  const selectAllBtn = h('button', {type: 'button', id: 'select-all', onclick: () => selectAll()}, 'Select all');
  const clearBtn = h('button', {type: 'button', class: 'ghost', hidden: true, onclick: () => grid.clearSelection()}, 'Clear selection');
  const uploadBtn = h('button', {type: 'button', class: 'primary', id: 'upload-button', disabled: true, onclick: () => upload()}, icon('cloudUpload'), h('span', null, 'Upload'));
  const rescanBtn = h('button', {type: 'button', class: 'ghost', id: 'rescan', onclick: rescan}, icon('refresh'), h('span', null, 'Rescan library'));
  const more = h('button', {type: 'button', class: 'ghost', onclick: () => loadMore()}, 'Load more');
  const footer = h('div', {class: 'grid-footer'}, more);
  const message = h('div', {class: 'grid-message'});

  const watchLine = h('p', {class: 'watch-status muted', id: 'watch-status', hidden: true});
  const el = h('div', {class: 'page photos-page'},
    h('div', {class: 'page-head'}, h('h1', null, 'Photos'), count, rescanBtn),
    watchLine,
    h('div', {class: 'toolbar', role: 'toolbar', 'aria-label': 'Photos', onkeydown: toolbarKeys},
      h('div', {class: 'search-box'}, icon('search'),
        h('label', {for: 'photo-search', class: 'sr-only'}, 'Search photos'), search),
      h('label', {for: 'photo-kind', class: 'sr-only'}, 'Kind'), kind,
      h('div', {class: 'toolbar-actions'}, selInfo, clearBtn, selectAllBtn, uploadBtn)),
    message, grid.el, footer);

  const observer = new IntersectionObserver((entries) => {
    if (entries.some((x) => x.isIntersecting)) loadMore();
  }, {rootMargin: '800px'});
  observer.observe(footer);

  const syncStates = new Map(); // job ID -> state, to see a sync start and end
  const stopJobs = onJob((job, justEnded) => {
    if (justEnded && (job.kind === 'index' || job.kind === 'upload' || job.kind === 'sync')) refreshLoaded();
    // A sync's start and end, not each of its progress updates.
    if (job.kind === 'sync' && syncStates.get(job.id) !== job.state) {
      syncStates.set(job.id, job.state);
      refreshWatch(justEnded);
    }
  });
  refreshWatch(false);

  // refreshWatch shows what the library watcher sees, and the state of
  // the files it saw arrive on their tiles. A run's start and end come as
  // job events; its files' states settle just after its end.
  let watchTimer = 0;
  async function refreshWatch(again) {
    try {
      const w = await get('/watch');
      grid.setWatched(new Map(w.files.map((f) => [f.path, f.state])));
      showWatch(w);
      if (w.files.some((f) => f.state === 'pending' || f.state === 'sending') || again) {
        clearTimeout(watchTimer);
        watchTimer = setTimeout(() => refreshWatch(false), 2000);
      }
    } catch {
      // The next event tries again.
    }
  }

  function showWatch(w) {
    watchLine.hidden = !w.watching && !w.fell_back;
    const last = w.last_event && w.last_event.path ? ` · last change: ${w.last_event.kind} ${w.last_event.path}, ${new Date(w.last_event.at).toLocaleTimeString()}` : '';
    replace(watchLine, icon(w.fell_back ? 'alert' : 'eye'), ' ', w.watching ? 'Watching the library' : 'Not watching the library', last,
      w.fell_back ? h('span', {class: 'watch-fallback', id: 'watch-fallback'}, ` · fell back to full walks: ${w.fell_back}`) : null);
  }

  loadAccounts().then((a) => {
    accounts = a;
    grid.setAccounts(a);
    refreshLoaded();
  }).catch(() => {});
  loadMore();

  function filter() {
    return {q: search.value.trim(), kind: kind.value};
  }

  function reset() {
    generation += 1;
    loading = false;
    loadedAll = false;
    total = 0;
    grid.reset();
    loadMore();
  }

  async function loadMore() {
    if (loading || loadedAll) return;
    loading = true;
    const gen = generation;
    more.disabled = true;
    try {
      const page = await get(`/photos${query({...filter(), offset: grid.photos.length, count: PAGE})}`);
      if (gen !== generation) return;
      total = page.total;
      grid.add(page.photos);
      loadedAll = grid.photos.length >= total || page.photos.length === 0;
      showState();
    } catch (err) {
      if (gen === generation) replace(message, h('p', {class: 'alert error', role: 'alert'}, err.message));
    } finally {
      if (gen === generation) {
        loading = false;
        more.disabled = false;
        // Keep filling while the end of the grid is on screen.
        if (grid.photos.length < total && footer.getBoundingClientRect().top < window.innerHeight + 800) queueMicrotask(loadMore);
      }
    }
  }

  // refreshLoaded asks again for the photos shown, after a job may have
  // changed them: upload states are updated in place; a changed list is
  // shown anew, the selection kept.
  async function refreshLoaded() {
    const gen = generation;
    const n = Math.max(grid.photos.length, PAGE);
    try {
      const fresh = [];
      let pageTotal = 0;
      for (let offset = 0; offset < n; offset += 1000) {
        const page = await get(`/photos${query({...filter(), offset, count: Math.min(1000, n - offset)})}`);
        pageTotal = page.total;
        fresh.push(...page.photos);
        if (page.photos.length === 0) break;
      }
      if (gen !== generation) return;
      const same = fresh.length === grid.photos.length && fresh.every((p, i) => p.id === grid.photos[i].id);
      total = pageTotal;
      loadedAll = fresh.length >= total;
      if (same) grid.update(fresh);
      else {
        grid.reset();
        grid.add(fresh);
      }
      showState();
    } catch {
      // The next refresh or scroll tries again.
    }
  }

  function showState() {
    const q = filter();
    count.textContent = plural(total, 'photo');
    footer.hidden = grid.photos.length >= total;
    if (total > 0) replace(message);
    else if (q.q || q.kind) replace(message, h('p', {class: 'empty'}, 'No photo matches this filter.'));
    else {
      replace(message, h('div', {class: 'empty'}, icon('image'),
        h('p', null, 'No photos yet. photosync shows the photos of its library folder (PHOTOSYNC_LIBRARY) once it has indexed them.'),
        h('button', {type: 'button', onclick: rescan}, 'Rescan library')));
    }
  }

  function selectionChanged(selected) {
    const n = selected.size;
    selInfo.textContent = n ? `${n.toLocaleString()} selected` : '';
    clearBtn.hidden = n === 0;
    uploadBtn.disabled = n === 0;
    uploadBtn.setAttribute('aria-label', n ? `Upload ${plural(n, 'photo')}` : 'Upload');
  }

  // selectAll selects every photo of the filter, also those not loaded yet.
  async function selectAll() {
    if (grid.photos.length >= total) {
      grid.select(grid.photos.map((p) => p.id));
      return;
    }
    await busy(selectAllBtn, 'Selecting…', async () => {
      const ids = [];
      for (let offset = 0; offset < total; offset += 1000) {
        const page = await get(`/photos${query({...filter(), offset, count: 1000})}`);
        ids.push(...page.photos.map((p) => p.id));
        if (page.photos.length === 0) break;
      }
      grid.select(ids);
    }).catch((err) => announce(err.message));
  }

  function upload(ids = [...grid.selected]) {
    if (ids.length) openUploadDialog(ids);
  }

  function details(photo) {
    openPhotoDetails(photo, accounts, () => upload([photo.id]));
  }

  function menu(photo, x, y) {
    const n = grid.selected.size;
    openMenu({label: 'Photo actions', x, y, items: [
      {label: n > 1 ? `Upload ${n} photos…` : 'Upload…', icon: 'cloudUpload', action: () => upload()},
      {label: 'Details', icon: 'info', action: () => details(photo)},
      {label: 'Select all', icon: 'check', action: () => selectAll()},
      {label: 'Clear selection', icon: 'close', disabled: n === 0, action: () => grid.clearSelection()},
    ]});
  }

  async function rescan() {
    try {
      const job = await busy(rescanBtn, 'Starting…', () => post('/library/index'));
      trackJob(job);
    } catch (err) {
      announce(err.code === 'ECONFLICT' ? 'The library is being indexed already.' : err.message);
    }
  }

  // toolbarKeys moves between the toolbar's buttons with the arrow keys.
  function toolbarKeys(e) {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    if (!(e.target instanceof HTMLButtonElement)) return;
    const buttons = [...e.currentTarget.querySelectorAll('button:not([disabled]):not([hidden])')];
    const i = buttons.indexOf(e.target);
    buttons[(i + (e.key === 'ArrowRight' ? 1 : -1) + buttons.length) % buttons.length]?.focus();
  }

  return {
    title: 'Photos',
    el,
    destroy() {
      observer.disconnect();
      stopJobs();
      clearTimeout(watchTimer);
      closeMenu();
    },
  };
}
