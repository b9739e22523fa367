// DOM building for the extension pages. Text always goes in through textContent (never
// innerHTML): product names, alert messages and offer labels come from shop pages, which are
// untrusted input.

export type Child = Node | string | number | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/** Builds an element. `attrs`: an `on<event>` key adds a listener; `true` sets an empty
 *  attribute, `false`/null/undefined leaves it out; `class`, `for`, `aria-*`, `data-*` are
 *  attributes like any other. `children`: strings become text nodes, falsy ones are skipped. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  children: Child | Child[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') {
      node.addEventListener(key.slice(2), value);
    } else if (key === 'value' && 'value' in node) {
      // The property, not the attribute: the attribute is only the default.
      (node as HTMLInputElement).value = String(value);
    } else if (key === 'checked' && node instanceof HTMLInputElement) {
      node.checked = value === true;
    } else {
      node.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(node, children);
  return node;
}

export function append(node: Node, children: Child | Child[]): void {
  for (const child of Array.isArray(children) ? children : [children]) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces every child of `node`. */
export function replace(node: Node, children: Child | Child[]): void {
  while (node.firstChild) node.removeChild(node.firstChild);
  append(node, children);
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} missing from the page`);
  return node as T;
}

let nextId = 0;
/** A page-unique id for label/aria wiring. */
export function uid(prefix: string): string {
  nextId += 1;
  return `${prefix}-${nextId}`;
}
