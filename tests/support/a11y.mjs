// Accessibility checks that run in a page (pass them to page.evaluate): text contrast against
// what is really behind the text, and form controls without an accessible name.

// Text contrast (WCAG 2.x relative luminance) of every element matching `selector` that has
// its own text, against the first opaque background behind it. Returns
// [{text, ratio, disabled}].
export function contrastIn(selector) {
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  };
  const lum = ({ r, g, b }) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (node) => {
    for (let n = node; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c && c.a >= 0.99) return c;
    }
    return parse(getComputedStyle(document.documentElement).backgroundColor) ?? { r: 255, g: 255, b: 255, a: 1 };
  };
  const out = [];
  for (const node of document.querySelectorAll(selector)) {
    const own = [...node.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim());
    if (!own || !node.getClientRects().length) continue;
    const style = getComputedStyle(node);
    if (style.visibility === 'hidden' || parseFloat(style.opacity) < 1) continue;
    const fg = parse(style.color);
    const bg = background(node);
    // A translucent text colour: blend it over the background first.
    const mix = { r: fg.r * fg.a + bg.r * (1 - fg.a), g: fg.g * fg.a + bg.g * (1 - fg.a), b: fg.b * fg.a + bg.b * (1 - fg.a) };
    const [hi, lo] = [lum(mix), lum(bg)].sort((x, y) => y - x);
    out.push({ text: node.textContent.trim().slice(0, 40), ratio: (hi + 0.05) / (lo + 0.05), disabled: node.closest(':disabled') !== null });
  }
  return out;
}

// Visible form controls and buttons inside `root` (a selector, default the whole page)
// without an accessible name (a <label for>, aria-label, title or text). Returns their HTML.
export function unnamedControls(root = 'body') {
  const out = [];
  for (const node of document.querySelector(root).querySelectorAll('button, input, select, textarea, a[href], summary')) {
    if (!node.getClientRects().length) continue;
    const name = node.getAttribute('aria-label') || (node.labels && [...node.labels].map((l) => l.textContent).join(' ')) ||
      node.getAttribute('title') || (node.tagName !== 'INPUT' && node.tagName !== 'TEXTAREA' && node.textContent);
    if (!name || !name.trim()) out.push(node.outerHTML.slice(0, 120));
  }
  return out;
}
