// Client-side routes on the History API: links inside the app change the
// page without a reload, and the back and forward buttons work. The
// server answers index.html for every such path, so a reload or a
// bookmark lands on the same page.

let onRoute = () => {};

/** setRouteHandler sets the function that renders the current location. */
export function setRouteHandler(fn) {
  onRoute = fn;
}

/** navigate goes to path, adding a history entry unless replace is set. */
export function navigate(path, {replace = false} = {}) {
  if (replace) history.replaceState(null, '', path);
  else if (path !== location.pathname + location.search) history.pushState(null, '', path);
  onRoute({focus: true});
}

document.addEventListener('click', (e) => {
  const a = e.target instanceof Element ? e.target.closest('a[href]') : null;
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  if (a.target || a.hasAttribute('download') || a.origin !== location.origin) return;
  if (a.pathname.startsWith('/api/') || a.pathname.startsWith('/assets/')) return;
  if (a.hash && a.pathname === location.pathname) return; // an anchor in the page, e.g. the skip link
  e.preventDefault();
  navigate(a.pathname + a.search);
});

window.addEventListener('popstate', () => onRoute({focus: true}));
