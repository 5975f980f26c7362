/**
 * Building the page. Every value goes in as a text node or an attribute set
 * with setAttribute, never as markup: text from an alert, a device or a user
 * shows as the characters it is. Nothing in the console assigns innerHTML.
 */

export type Child = Node | string | number | null | undefined | false;

type Handlers = { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };

export interface Props {
  /** Attributes, set as given (an `href` must be one of the console's own forms: see safeHref). */
  attrs?: Record<string, string | number | boolean | undefined>;
  class?: string;
  on?: Handlers;
}

/** An element with attributes, listeners and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.class) element.className = props.class;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, name === 'href' ? safeHref(String(value)) : value === true ? '' : String(value));
  }
  for (const [type, handler] of Object.entries(props.on ?? {}) as [string, EventListener][]) element.addEventListener(type, handler);
  append(element, ...children);
  return element;
}

/** Appends children, strings as text nodes. */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces everything in `parent` with `children`. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** Links the console makes: its own pages (#/...), the app's paths, and https pages it built from validated ids. */
export function safeHref(href: string): string {
  if (/^(#|\/(?!\/)|https:\/\/)/.test(href)) return href;
  throw new Error(`refusing a link that is not the console's own: ${href.slice(0, 80)}`);
}

/** A labelled form control: the label names it for screen readers and a click on it focuses it. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 10)}`;
  control.id = id;
  const hintId = hint ? `${id}-hint` : undefined;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h(
    'div',
    { class: 'field' },
    h('label', { attrs: { for: id } }, label),
    control,
    hint ? h('small', { attrs: { id: hintId } }, hint) : null,
  );
}

/** A button that copies `text` to the clipboard and says so. */
export function copyButton(text: string, what: string): HTMLButtonElement {
  const button = h('button', { attrs: { type: 'button', 'aria-label': `Copy ${what}` }, class: 'small' }, 'Copy');
  button.addEventListener('click', () => {
    navigator.clipboard.writeText(text).then(
      () => (button.textContent = 'Copied'),
      () => (button.textContent = 'Copy failed: select the text'),
    );
  });
  return button;
}
