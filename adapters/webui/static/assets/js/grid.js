// The photo grid: a multi-select listbox of thumbnail tiles. Click toggles
// a photo, Shift+click selects the range from the last one clicked; the
// arrow keys move, Space toggles, Shift+arrows extend, Ctrl+A selects all,
// Enter shows the details, the context-menu key or Shift+F10 opens the
// menu, Escape clears the selection.

import {h, replace} from './dom.js';
import {icon} from './icons.js';
import {accountName} from './api.js';
import {date} from './format.js';

/** primaryFile is the file that stands for a photo (its thumbnail). */
export function primaryFile(p) {
  return p.files.find((f) => f.role === 'primary') || p.files[0] || null;
}

/** isLive reports whether a photo is a Live Photo: a still (HEIC or JPEG) with a video of the same name beside it. */
export function isLive(p) {
  const f = primaryFile(p);
  return !!f && f.kind === 'image' && p.files.some((x) => x.kind === 'video' && x.role === 'video');
}

// The badges of a file the library watcher saw arrive (docs/watch.md):
// waiting for its backup, then verified on the server, or not.
const WATCH_BADGES = {
  pending: () => h('span', {class: 'badge pending', title: 'New: waiting to be backed up'}, icon('cloudUpload'), 'Pending'),
  sending: () => h('span', {class: 'badge pending', title: 'Being backed up'}, icon('cloudUpload'), 'Sending'),
  verified: () => h('span', {class: 'badge cloud verified', title: 'Backed up, the copy on the server verified'}, icon('cloudCheck'), 'Verified'),
  failed: () => h('span', {class: 'badge failed', title: 'Not backed up: see the sync of your servers'}, icon('alert'), 'Not backed up'),
};

// watchState answers the least advanced watched state of a photo's files.
function watchState(watched, p) {
  if (!watched || !watched.size) return '';
  const order = ['failed', 'pending', 'sending', 'verified'];
  let best = '';
  for (const f of p.files) {
    const st = watched.get(f.path);
    if (st && (!best || order.indexOf(st) < order.indexOf(best))) best = st;
  }
  return best;
}

/** uploadedTo returns the IDs of the accounts a photo's files went to. */
export function uploadedTo(p) {
  const ids = new Set();
  for (const f of p.files) for (const u of f.uploads || []) ids.add(u.account_id);
  return [...ids];
}

/** thumbURL is the URL of a photo's thumbnail, versioned by its checksum. */
export function thumbURL(p, size = 'tile_224') {
  const f = primaryFile(p);
  const v = f && f.sha1 ? `&v=${encodeURIComponent(f.sha1)}` : '';
  return `/api/v1/photos/${p.id}/thumb?size=${size}${v}`;
}

export class PhotoGrid {
  /** onChange(selected) runs on every selection change; onOpen(photo) and onMenu(photo, x, y) on Enter/double-click and the context menu. */
  constructor({onChange, onOpen, onMenu}) {
    this.onChange = onChange;
    this.onOpen = onOpen;
    this.onMenu = onMenu;
    this.photos = [];
    this.tiles = [];
    this.accounts = [];
    this.selected = new Set();
    this.anchor = -1;
    this.focusIndex = 0;
    this.el = h('div', {
      class: 'grid', id: 'photo-grid', role: 'listbox', 'aria-multiselectable': 'true', 'aria-label': 'Photos',
      onclick: (e) => this.click(e), ondblclick: (e) => this.dblclick(e),
      oncontextmenu: (e) => this.contextmenu(e), onkeydown: (e) => this.keydown(e),
    });
  }

  setAccounts(accounts) {
    this.accounts = accounts;
  }

  /** setWatched takes the library watcher's files (path -> pending, sending, verified or failed) and redraws. */
  setWatched(states) {
    this.watched = states;
    this.photos.forEach((p, i) => this.fill(this.tiles[i], p));
  }

  /** reset empties the grid; the selection stays. */
  reset() {
    this.photos = [];
    this.tiles = [];
    this.anchor = -1;
    this.focusIndex = 0;
    this.el.replaceChildren();
  }

  /** add appends photos. */
  add(photos) {
    const frag = document.createDocumentFragment();
    for (const p of photos) {
      const el = h('div', {role: 'option', class: 'tile', tabindex: '-1', 'data-id': p.id});
      this.fill(el, p);
      this.photos.push(p);
      this.tiles.push(el);
      frag.append(el);
    }
    this.el.append(frag);
    this.paint();
  }

  /** update redraws the tiles of photos already shown (new upload state). */
  update(photos) {
    const byID = new Map(photos.map((p) => [p.id, p]));
    this.photos.forEach((old, i) => {
      const p = byID.get(old.id);
      if (p) {
        this.photos[i] = p;
        this.fill(this.tiles[i], p);
      }
    });
    this.paint();
  }

  fill(el, p) {
    const f = primaryFile(p);
    const name = f ? f.name : p.name;
    const kinds = new Set(p.files.map((x) => x.kind));
    const servers = uploadedTo(p).map((id) => accountName(this.accounts, id));
    const when = date(p.taken_at);
    const live = isLive(p);
    const badges = [];
    if (kinds.has('raw')) badges.push(h('span', {class: 'badge raw'}, 'RAW'));
    if (live) badges.push(h('span', {class: 'badge video live', title: 'Live Photo: a still with its short video'}, 'Live'));
    else if (kinds.has('video')) badges.push(h('span', {class: 'badge video'}, icon('video'), 'Video'));
    if (p.files.length > 1) badges.push(h('span', {class: 'badge stack'}, `${p.files.length} files`));
    if (servers.length) badges.push(h('span', {class: 'badge cloud', title: `Uploaded to ${servers.join(', ')}`}, icon('cloudCheck'), servers.length > 1 ? String(servers.length) : null));
    const watched = watchState(this.watched, p);
    if (watched) badges.push(WATCH_BADGES[watched]());
    const label = [name, when || 'no date', kinds.has('raw') && 'RAW', live ? 'Live Photo' : kinds.has('video') && 'video',
      p.files.length > 1 && `${p.files.length} files`, servers.length && `uploaded to ${servers.join(', ')}`].filter(Boolean).join(', ');
    el.setAttribute('aria-label', label);
    el.title = p.folder ? `${p.folder}/${name}` : name;
    replace(el,
      h('div', {class: 'thumb'},
        h('img', {src: thumbURL(p), alt: '', loading: 'lazy', decoding: 'async', width: '224', height: '224', draggable: 'false'}),
        h('span', {class: 'tick', 'aria-hidden': 'true'}, icon('check'))),
      h('div', {class: 'tile-meta', 'aria-hidden': 'true'},
        h('span', {class: 'tile-name'}, name),
        h('span', {class: 'tile-date'}, when || 'No date')),
      badges.length ? h('div', {class: 'badges', 'aria-hidden': 'true'}, badges) : null);
  }

  /** paint shows selection and focus on the tiles, and reports the change. */
  paint() {
    if (this.focusIndex >= this.tiles.length) this.focusIndex = Math.max(0, this.tiles.length - 1);
    this.tiles.forEach((el, i) => {
      const on = this.selected.has(this.photos[i].id);
      el.setAttribute('aria-selected', String(on));
      el.classList.toggle('selected', on);
      el.tabIndex = i === this.focusIndex ? 0 : -1;
    });
    this.onChange(this.selected);
  }

  indexOf(target) {
    const el = target instanceof Element ? target.closest('.tile') : null;
    return el ? this.tiles.indexOf(el) : -1;
  }

  toggle(i) {
    const id = this.photos[i].id;
    if (this.selected.has(id)) this.selected.delete(id);
    else this.selected.add(id);
    this.anchor = i;
  }

  selectRange(from, to) {
    const [a, b] = from < to ? [from, to] : [to, from];
    for (let i = a; i <= b; i++) this.selected.add(this.photos[i].id);
  }

  /** select adds ids to the selection. */
  select(ids) {
    for (const id of ids) this.selected.add(id);
    this.paint();
  }

  clearSelection() {
    this.selected.clear();
    this.anchor = -1;
    this.paint();
  }

  focus(i) {
    if (i < 0 || i >= this.tiles.length) return;
    this.focusIndex = i;
    this.paint();
    this.tiles[i].focus();
    this.tiles[i].scrollIntoView({block: 'nearest'});
  }

  click(e) {
    const i = this.indexOf(e.target);
    if (i < 0) return;
    if (e.shiftKey && this.anchor >= 0) this.selectRange(this.anchor, i);
    else this.toggle(i);
    this.focusIndex = i;
    this.paint();
    this.tiles[i].focus({preventScroll: true});
  }

  dblclick(e) {
    const i = this.indexOf(e.target);
    if (i >= 0) this.onOpen(this.photos[i]);
  }

  contextmenu(e) {
    const i = this.indexOf(e.target);
    if (i < 0) return;
    e.preventDefault();
    if (!this.selected.has(this.photos[i].id)) {
      this.selected.add(this.photos[i].id);
      this.anchor = i;
    }
    this.focusIndex = i;
    this.paint();
    this.onMenu(this.photos[i], e.clientX, e.clientY);
  }

  /** columns counts the tiles in the first row. */
  columns() {
    if (this.tiles.length === 0) return 1;
    const top = this.tiles[0].offsetTop;
    let n = 0;
    while (n < this.tiles.length && this.tiles[n].offsetTop === top) n++;
    return Math.max(1, n);
  }

  keydown(e) {
    const i = this.indexOf(e.target);
    if (i < 0) return;
    const cols = this.columns();
    const moves = {ArrowRight: 1, ArrowLeft: -1, ArrowDown: cols, ArrowUp: -cols, Home: -i, End: this.tiles.length - 1 - i};
    if (e.key in moves) {
      e.preventDefault();
      const j = Math.max(0, Math.min(this.tiles.length - 1, i + moves[e.key]));
      if (e.shiftKey) {
        if (this.anchor < 0) this.anchor = i;
        this.selectRange(this.anchor, j);
      }
      this.focus(j);
    } else if (e.key === ' ') {
      e.preventDefault();
      this.toggle(i);
      this.paint();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      this.onOpen(this.photos[i]);
    } else if (e.key === 'a' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      this.el.dispatchEvent(new CustomEvent('selectall'));
    } else if (e.key === 'Escape' && this.selected.size) {
      e.preventDefault();
      this.clearSelection();
    } else if (e.key === 'ContextMenu' || (e.key === 'F10' && e.shiftKey)) {
      e.preventDefault();
      const r = this.tiles[i].getBoundingClientRect();
      if (!this.selected.has(this.photos[i].id)) this.toggle(i);
      this.paint();
      this.onMenu(this.photos[i], r.left + 16, r.top + 16);
    }
  }
}
