// The folder picker: browses a server's folders (GET …/folders?path=),
// creates one (POST …/folders) and answers the chosen path.

import {h, replace, errorBox, busy, sentence, announce} from './dom.js';
import {icon} from './icons.js';
import {get, post, displayName} from './api.js';
import {openDialog} from './dialog.js';

/** cleanPath returns a remote folder path as "/A/B", "/" for the root. */
export function cleanPath(p) {
  const parts = String(p || '').split('/').filter((x) => x && x !== '.');
  return `/${parts.join('/')}`;
}

function join(dir, name) {
  return cleanPath(`${dir}/${name}`);
}

/**
 * pickFolder lets a person choose a folder of account's server, starting
 * at start. It resolves to the chosen path, or null when cancelled.
 */
export function pickFolder(account, start) {
  let cur = cleanPath(start);
  let gen = 0;
  const d = openDialog({title: `Choose a folder on ${displayName(account)}`, className: 'picker'});
  const crumbs = h('nav', {class: 'crumbs', 'aria-label': 'Folder path'});
  const list = h('ul', {class: 'folder-list', id: 'folder-list', 'aria-label': 'Folders'});
  const error = errorBox();
  const newName = h('input', {id: 'new-folder-name', autocomplete: 'off', spellcheck: 'false', onkeydown: (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      create();
    }
  }});
  const createBtn = h('button', {type: 'button', id: 'create-folder', onclick: () => create()}, icon('folderPlus'), 'Create folder');
  const chosen = h('p', {class: 'picker-current', 'aria-live': 'polite'});
  const chooseBtn = h('button', {type: 'button', class: 'primary', id: 'choose-folder', onclick: () => d.close(cur)}, 'Choose this folder');
  d.body.append(crumbs, list,
    h('div', {class: 'field new-folder'},
      h('label', {for: 'new-folder-name'}, 'New folder in this folder'),
      h('div', {class: 'input-row'}, newName, createBtn)),
    error);
  d.actions.append(chosen, h('button', {type: 'button', onclick: () => d.close(null)}, 'Cancel'), chooseBtn);

  async function go(path, focusList = false) {
    cur = cleanPath(path);
    const mine = ++gen;
    error.show('');
    renderCrumbs();
    chosen.replaceChildren('Selected: ', h('strong', null, cur));
    list.setAttribute('aria-busy', 'true');
    replace(list, h('li', {class: 'muted'}, h('span', {class: 'spinner', 'aria-hidden': 'true'}), 'Loading folders…'));
    try {
      const r = await get(`/accounts/${account.id}/folders?path=${encodeURIComponent(cur)}`);
      if (mine !== gen) return;
      replace(list, r.folders.length === 0
        ? h('li', {class: 'muted empty-folder'}, 'No folders inside. Choose this one or create one.')
        : r.folders.map((f) => h('li', null,
          h('button', {type: 'button', class: 'folder-item', 'data-path': f.path, onclick: () => go(f.path, true)},
            icon('folder'), h('span', null, f.name), icon('chevronRight', 'end')))));
    } catch (err) {
      if (mine !== gen) return;
      const missing = err.code === 'ENOTFOUND' && !err.missingRoute;
      replace(list, h('li', {class: missing ? 'muted' : 'alert error'}, missing
        ? 'This folder does not exist on the server yet. Choose it and photosync creates it when needed, or go up.'
        : sentence(err.message)));
    } finally {
      if (mine === gen) list.removeAttribute('aria-busy');
    }
    if (focusList && mine === gen) (list.querySelector('button') || chooseBtn).focus();
  }

  function renderCrumbs() {
    const parts = cur.split('/').filter(Boolean);
    const items = [h('button', {type: 'button', class: 'crumb', onclick: () => go('/', true), 'aria-current': parts.length === 0 ? 'location' : false}, icon('server'), displayName(account))];
    parts.forEach((name, i) => {
      const path = `/${parts.slice(0, i + 1).join('/')}`;
      items.push(h('span', {class: 'sep', 'aria-hidden': 'true'}, '/'),
        h('button', {type: 'button', class: 'crumb', onclick: () => go(path, true), 'aria-current': i === parts.length - 1 ? 'location' : false}, name));
    });
    replace(crumbs, items);
  }

  async function create() {
    const name = newName.value.trim();
    error.show('');
    if (!name || name === '.' || name === '..' || name.includes('/')) {
      error.show('Enter a folder name without "/".');
      newName.focus();
      return;
    }
    try {
      const f = await busy(createBtn, 'Creating…', () => post(`/accounts/${account.id}/folders`, {path: join(cur, name)}));
      newName.value = '';
      announce(`Folder ${f.path} created.`);
      await go(f.path);
      chooseBtn.focus();
    } catch (err) {
      error.show(err.message);
    }
  }

  go(cur);
  return d.closed.then((v) => (typeof v === 'string' ? v : null));
}
