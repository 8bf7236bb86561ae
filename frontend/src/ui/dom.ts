/** A small helper to build DOM elements without a framework. */

type Child = Node | string | null | undefined | false;

/** Attributes of `h`: element properties, plus `class`, `data-*` and `aria-*` attributes. */
export type Props = Record<string, unknown>;

/** Create an element with properties or attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name === 'class') {
      node.className = String(value);
    } else if (name.startsWith('data-') || name.startsWith('aria-') || name === 'role' || name === 'for') {
      node.setAttribute(name, String(value));
    } else if (name.startsWith('on') && typeof value === 'function') {
      node.addEventListener(name.slice(2), value as EventListener);
    } else {
      (node as unknown as Record<string, unknown>)[name] = value;
    }
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child);
    }
  }
  return node;
}

/** Format a number with at most `digits` decimals, in the page language. */
export function formatNumber(value: number, digits = 2): string {
  return value.toLocaleString(document.documentElement.lang || 'en', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}
