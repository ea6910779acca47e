// photosync's web app: the shell (header, navigation, Activity panel),
// the routes, and the session. Each page is a module exporting a function
// that returns {el, title, destroy}.

import {h, replace} from './dom.js';
import {icon} from './icons.js';
import {del, loadAccounts, forgetAccounts, setUnauthorizedHandler} from './api.js';
import {setRouteHandler} from './router.js';
import {signInPage} from './signin.js';
import {startJobs, stopJobs} from './jobs.js';
import {photosPage} from './photos.js';
import {settingsPage} from './settings.js';
import {backupPage} from './backup.js';
import {closeMenu} from './menu.js';

const root = document.getElementById('app');

const ROUTES = [
  {re: /^\/photos\/?$/, nav: 'photos', render: () => photosPage()},
  {re: /^\/backup\/?$/, nav: 'backup', render: () => backupPage()},
  {re: /^\/settings\/backup\/?$/, nav: 'settings', render: () => settingsPage({tab: 'backup'})},
  {re: /^\/settings\/backup\/(\d+)\/?$/, nav: 'settings', render: (m) => settingsPage({tab: 'backup', account: Number(m[1])})},
  {re: /^\/settings\/library\/?$/, nav: 'settings', render: () => settingsPage({tab: 'library'})},
  {re: /^\/settings\/versions\/?$/, nav: 'settings', render: () => settingsPage({tab: 'versions'})},
  {re: /^\/settings\/notifications\/?$/, nav: 'settings', render: () => settingsPage({tab: 'notifications'})},
];
const REDIRECTS = {'/': '/photos', '/settings': '/settings/backup', '/settings/': '/settings/backup'};

let signedIn = false;
let shell = null;
let page = null;

function buildShell() {
  const main = h('main', {id: 'main', class: 'main', tabindex: '-1'});
  const links = {
    photos: h('a', {href: '/photos', class: 'nav-link'}, icon('image'), h('span', null, 'Photos')),
    backup: h('a', {href: '/backup', class: 'nav-link'}, icon('cloudCheck'), h('span', null, 'Backup')),
    settings: h('a', {href: '/settings/backup', class: 'nav-link'}, icon('settings'), h('span', null, 'Settings')),
  };
  const header = h('header', {class: 'topbar'},
    h('a', {href: '/photos', class: 'brand', 'aria-label': 'photosync home'}, icon('logo'), h('span', null, 'photosync')),
    h('nav', {class: 'nav', 'aria-label': 'Main'}, links.photos, links.backup, links.settings),
    h('button', {type: 'button', class: 'ghost signout', onclick: signOut}, icon('signOut'), h('span', {class: 'label'}, 'Sign out')));
  // Toasts repeat what the live region says, for sighted people.
  const toasts = h('div', {id: 'toasts', class: 'toasts', 'aria-hidden': 'true'});
  const live = h('div', {id: 'live', class: 'sr-only', role: 'status', 'aria-live': 'polite'});
  replace(root, header, main, toasts, live);
  startJobs(root);
  return {main, links};
}

function notFound() {
  return {
    title: 'Not found',
    el: h('div', {class: 'page narrow'}, h('h1', null, 'This page does not exist'),
      h('p', null, h('a', {href: '/photos'}, 'Go to Photos'))),
  };
}

function route({focus = false} = {}) {
  if (!signedIn) return;
  closeMenu();
  const redirect = REDIRECTS[location.pathname];
  if (redirect) history.replaceState(null, '', redirect);
  const path = location.pathname;
  if (page && page.destroy) page.destroy();
  if (!shell) shell = buildShell();
  let match = null;
  const r = ROUTES.find((x) => (match = path.match(x.re)));
  page = r ? r.render(match) : notFound();
  for (const [name, a] of Object.entries(shell.links)) {
    if (r && r.nav === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  replace(shell.main, page.el);
  document.getElementById('toasts')?.replaceChildren(); // they spoke of the last page
  document.title = page.title ? `${page.title} · photosync` : 'photosync';
  if (focus) {
    window.scrollTo(0, 0);
    shell.main.focus({preventScroll: true});
  }
}

function showSignIn(notice) {
  signedIn = false;
  stopJobs();
  closeMenu();
  if (page && page.destroy) page.destroy();
  page = null;
  shell = null;
  forgetAccounts();
  for (const d of document.querySelectorAll('dialog')) d.close();
  replace(root, signInPage(() => {
    signedIn = true;
    route();
  }, notice));
  document.title = 'Sign in · photosync';
}

async function signOut() {
  signedIn = false;
  try {
    await del('/session');
  } catch {
    // Signed out already, or photosync is gone: the sign-in page either way.
  }
  showSignIn();
}

async function boot() {
  setRouteHandler(route);
  setUnauthorizedHandler(() => {
    if (signedIn) showSignIn('Your session has ended. Sign in again.');
  });
  try {
    await loadAccounts(true);
  } catch (err) {
    root.removeAttribute('aria-busy');
    if (err.status === 401) {
      showSignIn();
      return;
    }
    replace(root, h('main', {class: 'page narrow', id: 'main'}, h('h1', null, 'photosync cannot be reached'),
      h('p', {class: 'alert error', role: 'alert'}, err.message),
      h('button', {type: 'button', class: 'primary', onclick: () => location.reload()}, 'Try again')));
    return;
  }
  root.removeAttribute('aria-busy');
  signedIn = true;
  route();
}

boot();
