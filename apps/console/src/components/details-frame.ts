// The part of a list page that shows one row's details under the list (a consumer's keys, a
// user's tokens), drawn anew when another row is chosen.
import { type Child, h, replace, uid } from '../dom.js';
import { heading } from '../ui.js';

export interface DetailsFrame {
  /** Labels the section; the focus goes here when a redraw removes the focused element. */
  heading: HTMLHeadingElement;
  /** Where a secret shown once (a new key or token) appears. */
  secretSlot: HTMLDivElement;
  /** What gets redrawn: the details themselves. */
  body: HTMLDivElement;
}

/** Fills `section` with a heading named `title`, then `between` (a form, a notice), a secret slot and the body. */
export function drawDetailsFrame(section: HTMLElement, title: string, ...between: Child[]): DetailsFrame {
  const titleId = uid('details-title');
  const frame = {
    heading: heading(2, title, { id: titleId }),
    secretSlot: h('div', { class: 'secret-slot' }),
    body: h('div'),
  };
  section.setAttribute('aria-labelledby', titleId);
  replace(section, frame.heading, ...between, frame.secretSlot, frame.body);
  return frame;
}
