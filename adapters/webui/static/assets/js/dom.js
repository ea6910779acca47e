// Small helpers to build and update the DOM without a framework. Nothing
// here writes HTML from strings that could hold data: text always goes in
// as text nodes, so names from the library or a server cannot inject markup.

// Properties set as DOM properties rather than attributes.
const PROPS = new Set(['value', 'checked', 'disabled', 'hidden', 'selected', 'indeterminate', 'open', 'multiple', 'required', 'readOnly']);

/**
 * h builds an element: h('button', {class: 'primary', onclick: fn}, 'Save').
 * Props named on* add event listeners; class, value, checked, disabled,
 * hidden and the like are set as properties; false, null and undefined
 * leave an attribute out; true sets it empty. Children are nodes, strings
 * or (nested) arrays of them; null and false are skipped.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) setProps(el, props);
  append(el, children);
  return el;
}

function setProps(el, props) {
  for (const [key, value] of Object.entries(props)) {
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'class') {
      el.className = value || '';
    } else if (PROPS.has(key)) {
      el[key] = value;
    } else if (value === false || value == null) {
      continue;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

/** append adds children (nodes, strings, arrays; null and false skipped). */
export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** replace empties el and fills it with children. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

let nextID = 0;

/** uid returns an ID unique in the page, for label/aria references. */
export function uid(prefix = 'id') {
  nextID += 1;
  return `${prefix}-${nextID}`;
}

/**
 * field returns a label and a control bound to it, with an optional hint
 * tied to the control by aria-describedby.
 */
export function field(label, control, hint) {
  if (!control.id) control.id = uid('f');
  const parts = [h('label', {for: control.id}, label), control];
  if (hint) {
    const hintEl = h('p', {class: 'hint', id: uid('hint')}, hint);
    control.setAttribute('aria-describedby', hintEl.id);
    parts.push(hintEl);
  }
  return h('div', {class: 'field'}, parts);
}

/** checkbox returns a labelled checkbox; attrs go to the input. */
export function checkbox(label, attrs = {}) {
  const input = h('input', {type: 'checkbox', ...attrs});
  return h('label', {class: 'check'}, input, h('span', null, label));
}

/** select returns a <select> of [value, label] options with value chosen. */
export function select(options, value, attrs = {}) {
  return h('select', attrs, options.map(([v, label]) => h('option', {value: v, selected: String(v) === String(value)}, label)));
}

/** errorBox returns an alert box, hidden until show() is called. */
export function errorBox() {
  const el = h('div', {class: 'alert error', role: 'alert', hidden: true});
  el.show = (message) => {
    el.textContent = sentence(message);
    el.hidden = !message;
  };
  return el;
}

/** sentence starts an API message with a capital and ends it with a stop. */
export function sentence(message) {
  const s = String(message || '').trim();
  if (!s) return '';
  const capped = s[0].toUpperCase() + s.slice(1);
  return /[.!?:]$/.test(capped) ? capped : `${capped}.`;
}

/**
 * busy disables a button while promise runs and shows label on it, then
 * restores it. It returns the promise's result.
 */
export async function busy(button, label, run) {
  const old = [...button.childNodes];
  const wasDisabled = button.disabled;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.replaceChildren(h('span', {class: 'spinner', 'aria-hidden': 'true'}), label);
  try {
    return await run();
  } finally {
    button.replaceChildren(...old);
    button.disabled = wasDisabled;
    button.removeAttribute('aria-busy');
  }
}

/** debounce returns fn delayed until calls pause for ms. */
export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/**
 * announce tells screen readers a message (through the live region) and,
 * unless visual is false, shows it briefly as a toast. Messages the page
 * shows anyway (the Activity panel's) pass visual: false.
 */
export function announce(message, {visual = true} = {}) {
  const live = document.getElementById('live');
  if (live) {
    live.textContent = '';
    // A new text node in a cleared region is announced even when the
    // message repeats.
    setTimeout(() => {
      live.textContent = message;
    }, 50);
  }
  const region = document.getElementById('toasts');
  if (!visual || !region) return;
  const toast = h('div', {class: 'toast'}, message);
  region.append(toast);
  while (region.children.length > 2) region.firstChild.remove();
  setTimeout(() => toast.remove(), 4000);
}
