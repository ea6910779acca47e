// Modal dialogs on the native <dialog> element: the rest of the page is
// inert while one is open, Tab and Shift+Tab cycle inside it, Escape
// closes it, and focus returns to where it was when it closes.

import {h, uid} from './dom.js';
import {icon} from './icons.js';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * openDialog shows a modal dialog and returns its parts:
 * {el, body, actions, close(value), closed} where closed is a promise of
 * the value close was called with (undefined for Escape or the × button).
 * With onSubmit, body and actions are inside one form, so Enter in a
 * field submits it; onSubmit gets the submit event (already prevented).
 */
export function openDialog({title, onSubmit, wide = false, className = ''}) {
  const titleId = uid('dialog-title');
  const body = h('div', {class: 'dialog-body'});
  const actions = h('div', {class: 'dialog-actions'});
  let result;
  const el = h('dialog', {class: `dialog ${wide ? 'wide' : ''} ${className}`.trim(), 'aria-labelledby': titleId});
  const head = h('header', {class: 'dialog-head'},
    h('h2', {id: titleId}, title),
    h('button', {type: 'button', class: 'icon-button', 'aria-label': 'Close', onclick: () => close()}, icon('close')));
  if (onSubmit) {
    const form = h('form', {class: 'dialog-form', novalidate: true, onsubmit: (e) => {
      e.preventDefault();
      onSubmit(e);
    }}, body, actions);
    el.append(head, form);
  } else {
    el.append(head, body, actions);
  }

  const opener = document.activeElement;
  let resolveClosed;
  const closed = new Promise((resolve) => {
    resolveClosed = resolve;
  });
  el.addEventListener('keydown', (e) => {
    if (e.key === 'Tab') trapTab(el, e);
  });
  el.addEventListener('close', () => {
    el.remove();
    if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus();
    resolveClosed(result);
  });

  function close(value) {
    result = value;
    if (el.open) el.close();
  }

  document.body.append(el);
  el.showModal();
  // Focus the first field, else the first action, not the × button.
  queueMicrotask(() => {
    const first = body.querySelector('input:not([type="hidden"]):not([disabled]), select, textarea') ||
      actions.querySelector('button:not([disabled])');
    if (first) first.focus();
  });
  return {el, body, actions, close, closed, title: head.querySelector('h2')};
}

/** trapTab keeps Tab and Shift+Tab inside el. */
function trapTab(el, e) {
  const items = [...el.querySelectorAll(FOCUSABLE)].filter((n) => n.offsetParent !== null || n === document.activeElement);
  if (items.length === 0) return;
  const first = items[0];
  const last = items[items.length - 1];
  if (e.shiftKey && (document.activeElement === first || !el.contains(document.activeElement))) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && (document.activeElement === last || !el.contains(document.activeElement))) {
    e.preventDefault();
    first.focus();
  }
}

/**
 * confirmDialog asks a yes/no question and resolves to true when the
 * person confirms. The safe choice (Cancel) has the focus.
 */
export function confirmDialog({title, message, confirm, danger = false}) {
  const d = openDialog({title, className: 'confirm'});
  d.el.setAttribute('role', 'alertdialog');
  const msgId = uid('confirm-msg');
  d.el.setAttribute('aria-describedby', msgId);
  d.body.append(h('p', {id: msgId}, message));
  const cancel = h('button', {type: 'button', onclick: () => d.close(false)}, 'Cancel');
  d.actions.append(cancel,
    h('button', {type: 'button', class: danger ? 'danger' : 'primary', onclick: () => d.close(true)}, confirm));
  queueMicrotask(() => cancel.focus());
  return d.closed.then((v) => v === true);
}
