// Tables of the console's lists, and the cells and filters they share.
import type { LastUse } from '../api-types.js';
import { type Attributes, type Child, h, replace, time } from '../dom.js';

export interface TableOptions {
  caption: string;
  /** The caption is for screen readers only (a heading above already names the list). */
  captionHidden?: boolean;
  columns: Child[];
  /** One array of cells (nodes or text) per row; the first cell is the row's header. */
  rows: Child[][];
  rowAttributes?: (index: number) => Attributes;
  /** A class per column, on its header and every cell (e.g. `wide-only`: hidden on narrow screens). */
  columnClasses?: (string | undefined)[];
  /**
   * On narrow screens each row becomes a card: its cells stacked, each under its column's name, the
   * row's actions in view instead of off to the right.
   */
  cards?: boolean;
}

/** A column header's text, shown above its cell when the row is a card (none for a hidden header). */
function columnLabel(column: Child): string | undefined {
  if (typeof column === 'string') return column;
  if (column instanceof HTMLElement && !column.classList.contains('visually-hidden'))
    return column.textContent ?? undefined;
  return undefined;
}

/** A table with a caption and column headers (scope=col); each row's first cell heads it (scope=row). */
export function table({
  caption,
  captionHidden = false,
  columns,
  rows,
  rowAttributes = () => ({}),
  columnClasses = [],
  cards = false,
}: TableOptions): HTMLDivElement {
  const labels = cards ? columns.map(columnLabel) : [];
  return h(
    'div',
    { class: cards ? 'table-wrap table-cards' : 'table-wrap' },
    h(
      'table',
      {},
      h('caption', { class: captionHidden ? 'visually-hidden' : undefined }, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map((column, index) => h('th', { scope: 'col', class: columnClasses[index] }, column)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((row, index) =>
          h(
            'tr',
            rowAttributes(index),
            row.map((cell, column) =>
              column === 0
                ? h('th', { scope: 'row', class: columnClasses[column] }, cell)
                : h('td', { class: columnClasses[column], 'data-label': labels[column] }, cell),
            ),
          ),
        ),
      ),
    ),
  );
}

/**
 * A list under its section's heading, drawn into `container`: the table (its caption for screen
 * readers only, the heading shows; rows as cards on narrow screens) or, without rows, `empty`: what
 * is missing and what to do.
 */
export function drawList(
  container: HTMLElement,
  { empty, ...options }: Omit<TableOptions, 'captionHidden'> & { empty: HTMLElement },
): void {
  replace(container, options.rows.length === 0 ? empty : table({ cards: true, ...options, captionHidden: true }));
}

/** The header of a row-actions column: no visible text, a name for screen readers. */
export function actionsColumn(): HTMLSpanElement {
  return h('span', { class: 'visually-hidden' }, 'Actions');
}

/** "12 Mar 2026, 10:04 from 203.0.113.9", or "never". */
export function lastUsedCell(credential: LastUse): HTMLElement {
  if (!credential.lastUsedAt) return h('span', { class: 'muted' }, 'never');
  return h(
    'span',
    {},
    time(credential.lastUsedAt),
    credential.lastUsedAddress ? h('span', { class: 'muted' }, ` from ${credential.lastUsedAddress}`) : null,
  );
}

/**
 * The "Show revoked and expired …" checkbox above a list of credentials; null when there is nothing
 * inactive to show. The box keeps the focus across the redraw `onChange` does.
 */
export function inactiveFilter({
  id,
  label,
  checked,
  onChange,
}: {
  id: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => unknown;
}): HTMLDivElement {
  return h(
    'div',
    { class: 'check list-filter' },
    h('input', {
      type: 'checkbox',
      id,
      checked,
      onChange: async (event) => {
        await onChange((event.currentTarget as HTMLInputElement).checked);
        document.getElementById(id)?.focus();
      },
    }),
    h('label', { for: id }, label),
  );
}
