// Settings → Notifications: where alerts go. A target may hold a token:
// photosync shows its scheme and host only.

import {h, replace, busy, sentence} from './dom.js';
import {get, post, del} from './api.js';

/** notificationsTab returns the Notifications tab of Settings. */
export function notificationsTab() {
  const list = h('div', {id: 'notify-list'});
  const status = h('p', {id: 'notify-status', role: 'status', hidden: true});
  const input = h('input', {id: 'notify-url', type: 'url', autocomplete: 'off', placeholder: 'webhook URL, or ntfy://ntfy.sh/topic'});
  const add = h('button', {type: 'submit', class: 'primary', id: 'notify-add'}, 'Add');
  const test = h('button', {type: 'button', id: 'notify-test', onclick: () => act(test, 'Sending…', () => post('/settings/notifications/test'),
    (r) => (r.failed.length ? `Sent to ${r.sent}; not delivered: ${r.failed.join('; ')}` : `Test sent to ${r.sent} target${r.sent === 1 ? '' : 's'}.`))},
  'Send a test');

  async function act(button, label, run, said) {
    try {
      const r = await busy(button, label, run);
      status.className = 'alert info';
      status.textContent = sentence(said(r));
      load();
    } catch (e) {
      status.className = 'alert error';
      status.textContent = sentence(e.message);
    }
    status.hidden = false;
  }

  async function load() {
    try {
      const r = await get('/settings/notifications');
      replace(list, r.targets.length ? h('ul', {class: 'notify-targets'}, r.targets.map((t) => {
        const rm = h('button', {type: 'button', class: 'small danger-ghost', 'aria-label': `Remove ${t.target}`,
          onclick: () => act(rm, 'Removing…', () => del(`/settings/notifications/${t.id}`), () => 'Target removed.')}, 'Remove');
        return h('li', {class: 'notify-target'}, h('code', null, t.target), t.from_env ? ' (PHOTOSYNC_NOTIFY_URL)' : rm);
      })) : h('p', {class: 'muted'}, 'No target yet: alerts go nowhere.'));
    } catch (e) {
      replace(list, h('p', {class: 'alert error', role: 'alert'}, sentence(e.message)));
    }
  }

  load();
  return {
    title: 'Notifications',
    el: h('div', null, h('div', {class: 'section-head'}, h('h2', null, 'Notifications'), test),
      h('p', {class: 'muted'}, 'One alert when a backup needs you (a failing sync, missing files, a refused password, dropped coverage, a sync to confirm, no success for three intervals), one when resolved.'),
      status,
      h('section', {class: 'card'}, list, h('form', {onsubmit: (e) => {
        e.preventDefault();
        act(add, 'Adding…', () => post('/settings/notifications', {url: input.value}), () => {
          input.value = '';
          return 'Target added.';
        });
      }}, h('label', {for: 'notify-url'}, 'Add a target: a webhook (JSON POST), or ntfy://, gotify://, smtp://, matrix://, telegram://'),
      h('div', {class: 'notify-row'}, input, add)))),
  };
}
