// The small in-page panel: the price, the best stack's total and saving, and "hide on this
// site". It lives in a closed shadow root (the page's CSS and scripts can't reach in) on an
// element of our own; page data only ever goes in through textContent, never innerHTML.

import type { TabState } from '../shared/messages';
import { t, uiLanguage } from '../shared/browser';
import { compareDecimal, formatMoney } from '../shared/money';

const CSS = `
:host { all: initial; }
.panel {
  position: fixed; right: 16px; bottom: 16px; z-index: 2147483647;
  max-width: 280px; min-width: 180px; box-sizing: border-box; padding: 10px 12px;
  font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1f2328; background: #ffffff; border: 1px solid #d0d7de; border-radius: 10px;
  box-shadow: 0 4px 16px rgba(0,0,0,.18);
}
.head { display: flex; align-items: flex-start; gap: 8px; }
.name { flex: 1; font-weight: 600; overflow: hidden; text-overflow: ellipsis; display: -webkit-box;
  -webkit-line-clamp: 2; -webkit-box-orient: vertical; }
.row { margin-top: 4px; }
.saving { color: #1a7f37; font-weight: 600; }
button { font: inherit; color: inherit; background: transparent; border: 1px solid #d0d7de;
  border-radius: 6px; padding: 2px 8px; cursor: pointer; }
button.close { border: none; padding: 0 4px; font-size: 16px; line-height: 1; }
button.hide { margin-top: 8px; }
button:focus-visible { outline: 2px solid #0969da; outline-offset: 2px; }
@media (prefers-color-scheme: dark) {
  .panel { color: #e6edf3; background: #161b22; border-color: #30363d; }
  .saving { color: #3fb950; }
  button { border-color: #30363d; }
  button:focus-visible { outline-color: #58a6ff; }
}
`;

let host: HTMLElement | null = null;
let root: ShadowRoot | null = null;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Shows (or refreshes) the panel for `state`; `onHide` runs when the shopper hides it on
 *  this site. */
export function renderPanel(state: TabState, onHide: () => void): void {
  const product = state.product;
  if (!product) return removePanel();
  const lang = uiLanguage();
  if (!host || !host.isConnected || !root) {
    host = document.createElement('div');
    // The page's CSS still styles the host element itself: neutralise what could hide or move it.
    host.style.setProperty('all', 'initial', 'important');
    host.style.setProperty('display', 'block', 'important');
    root = host.attachShadow({ mode: 'closed' });
    document.documentElement.appendChild(host);
  }
  const panel = el('section', 'panel');
  panel.setAttribute('role', 'complementary');
  panel.setAttribute('aria-label', t('panel_label'));

  const head = el('div', 'head');
  head.appendChild(el('div', 'name', product.name ?? t('panel_product')));
  const close = el('button', 'close', '\u00d7');
  close.type = 'button';
  close.setAttribute('aria-label', t('panel_close'));
  close.addEventListener('click', () => removePanel());
  head.appendChild(close);
  panel.appendChild(head);

  if (product.price)
    panel.appendChild(el('div', 'row', t('panel_price', formatMoney(product.price.amount, product.price.currency, lang))));
  const stack = state.stack;
  if (stack && compareDecimal(stack.savings, '0') === 1) {
    const row = el('div', 'row');
    row.appendChild(el('span', '', `${t('panel_best', formatMoney(stack.net, stack.currency, lang))} `));
    row.appendChild(el('span', 'saving', t('panel_saving', formatMoney(stack.savings, stack.currency, lang))));
    panel.appendChild(row);
  } else if (stack) {
    panel.appendChild(el('div', 'row', t('panel_no_offers')));
  }

  const hide = el('button', 'hide', t('panel_hide_site'));
  hide.type = 'button';
  hide.addEventListener('click', () => onHide());
  panel.appendChild(hide);

  const style = el('style', '', CSS);
  root.replaceChildren(style, panel);
}

export function removePanel(): void {
  host?.remove();
  host = null;
  root = null;
}
