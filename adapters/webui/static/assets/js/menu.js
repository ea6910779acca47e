// A context menu: role="menu" with menu items, opened at the pointer (or
// beside an element for the keyboard), moved through with the arrow keys,
// Home and End, closed by Escape, Tab, a click elsewhere or a scroll.

import {h} from './dom.js';
import {icon} from './icons.js';

let current = null;

/**
 * openMenu shows a menu of items [{label, icon, action, disabled}] at
 * (x, y) in the viewport and focuses its first item. label is the
 * menu's accessible name.
 */
export function openMenu({label, items, x, y}) {
  closeMenu();
  const opener = document.activeElement;
  const buttons = items.map((it) => h('button', {
    type: 'button', role: 'menuitem', tabindex: '-1', disabled: !!it.disabled, class: 'menu-item',
    onclick: () => {
      // Give the focus back first, so that a dialog the action opens
      // returns it there when it closes.
      close(true);
      it.action();
    },
  }, it.icon ? icon(it.icon) : null, h('span', null, it.label)));
  const el = h('div', {class: 'menu', role: 'menu', 'aria-label': label}, buttons);
  document.body.append(el);

  const w = el.offsetWidth;
  const ht = el.offsetHeight;
  el.style.left = `${Math.max(4, Math.min(x, window.innerWidth - w - 4))}px`;
  el.style.top = `${Math.max(4, Math.min(y, window.innerHeight - ht - 4))}px`;

  const enabled = () => buttons.filter((b) => !b.disabled);
  const move = (delta) => {
    const list = enabled();
    const i = list.indexOf(document.activeElement);
    list[(i + delta + list.length) % list.length]?.focus();
  };
  el.addEventListener('keydown', (e) => {
    switch (e.key) {
      case 'ArrowDown': e.preventDefault(); move(1); break;
      case 'ArrowUp': e.preventDefault(); move(-1); break;
      case 'Home': e.preventDefault(); enabled()[0]?.focus(); break;
      case 'End': e.preventDefault(); enabled().at(-1)?.focus(); break;
      case 'Escape': e.preventDefault(); close(true); break;
      case 'Tab': e.preventDefault(); close(true); break;
      default:
    }
  });
  const outside = (e) => {
    if (!el.contains(e.target)) close();
  };
  const onScroll = () => close();
  setTimeout(() => {
    document.addEventListener('pointerdown', outside, true);
    window.addEventListener('scroll', onScroll, true);
    window.addEventListener('resize', onScroll);
  });

  function close(refocus = false) {
    if (current !== api) return;
    current = null;
    document.removeEventListener('pointerdown', outside, true);
    window.removeEventListener('scroll', onScroll, true);
    window.removeEventListener('resize', onScroll);
    el.remove();
    if (refocus && opener && opener.isConnected) opener.focus();
  }
  const api = {el, close};
  current = api;
  enabled()[0]?.focus();
  return api;
}

/** closeMenu closes the open menu, if any. */
export function closeMenu() {
  if (current) current.close();
}
