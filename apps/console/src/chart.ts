// Requests per day as an inline SVG bar chart (stacked by status class), with the same numbers in a
// table for screen readers and for anyone who wants them exact.
import type { KeyUsage, StatusClass, UsageDay } from './api-types.js';
import { DAY_MS, h, svg } from './dom.js';

const CLASSES: StatusClass[] = ['2xx', '3xx', '4xx', '5xx'];
const CLASS_NAMES: Record<StatusClass, string> = {
  '2xx': 'successful (2xx)',
  '3xx': 'redirected (3xx)',
  '4xx': 'refused (4xx)',
  '5xx': 'failed (5xx)',
};
const WIDTH = 560;
const HEIGHT = 160;
const AXIS = 28;
const TOP = 10;

/** The last `days` UTC days ending today, oldest first, zero where nothing was used. */
export function fillDays(usageDays: readonly UsageDay[], days: number, now = Date.now()): UsageDay[] {
  const byDay = new Map(usageDays.map((entry) => [entry.day, entry]));
  const result: UsageDay[] = [];
  for (let offset = days - 1; offset >= 0; offset -= 1) {
    const day = new Date(now - offset * DAY_MS).toISOString().slice(0, 10);
    const entry = byDay.get(day);
    result.push({ day, counts: entry?.counts ?? {}, total: entry?.total ?? 0 });
  }
  return result;
}

/** `label`: what the chart is about ("Production sync"); `usage`: GET /api/keys/{id}/usage. */
export function usageChart({
  label,
  usage,
  days = 14,
}: {
  label: string;
  usage: KeyUsage;
  days?: number;
}): HTMLElement {
  const series = fillDays(usage.days ?? [], days);
  const total = series.reduce((sum, day) => sum + day.total, 0);
  const max = Math.max(1, ...series.map((day) => day.total));
  const busiest = series.reduce((best, day) => (day.total > best.total ? day : best));
  const summary =
    total === 0
      ? `No requests with ${label} in the last ${days} days.`
      : `${total} request${total === 1 ? '' : 's'} with ${label} in the last ${days} days; busiest day ${busiest.day} with ${busiest.total}.`;

  const slot = (WIDTH - AXIS) / series.length;
  const barWidth = Math.max(4, slot * 0.7);
  const plotHeight = HEIGHT - TOP - 20;
  const bars = series.map((day, index) => {
    const x = AXIS + index * slot + (slot - barWidth) / 2;
    let y = TOP + plotHeight;
    const segments = CLASSES.filter((statusClass) => day.counts[statusClass]).map((statusClass) => {
      const height = ((day.counts[statusClass] ?? 0) / max) * plotHeight;
      y -= height;
      return svg('rect', {
        x: x.toFixed(1),
        y: y.toFixed(1),
        width: barWidth.toFixed(1),
        height: Math.max(1, height).toFixed(1),
        class: `bar bar-${statusClass}`,
      });
    });
    const breakdown = CLASSES.filter((statusClass) => day.counts[statusClass])
      .map((statusClass) => `${day.counts[statusClass]} ${statusClass}`)
      .join(', ');
    return svg(
      'g',
      {},
      svg(
        'title',
        {},
        `${day.day}: ${day.total} request${day.total === 1 ? '' : 's'}${breakdown ? ` (${breakdown})` : ''}`,
      ),
      segments,
    );
  });
  const labels = [0, Math.floor(series.length / 2), series.length - 1].map((index) =>
    svg(
      'text',
      { x: (AXIS + index * slot + slot / 2).toFixed(1), y: HEIGHT - 4, 'text-anchor': 'middle', class: 'axis-label' },
      series[index]?.day.slice(5),
    ),
  );
  const chart = svg(
    'svg',
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'usage-chart', role: 'img', 'aria-label': summary, focusable: 'false' },
    svg('line', { x1: AXIS, y1: TOP + plotHeight + 0.5, x2: WIDTH, y2: TOP + plotHeight + 0.5, class: 'axis' }),
    svg('text', { x: AXIS - 4, y: TOP + 8, 'text-anchor': 'end', class: 'axis-label' }, String(max)),
    svg('text', { x: AXIS - 4, y: TOP + plotHeight, 'text-anchor': 'end', class: 'axis-label' }, '0'),
    bars,
    labels,
  );
  const used = series.filter((day) => day.total > 0);
  const legend = h(
    'ul',
    { class: 'legend', 'aria-hidden': 'true' },
    CLASSES.filter((statusClass) => series.some((day) => day.counts[statusClass])).map((statusClass) =>
      h('li', {}, h('span', { class: `swatch bar-${statusClass}` }), CLASS_NAMES[statusClass]),
    ),
  );
  const details =
    used.length === 0
      ? null
      : h(
          'details',
          { class: 'chart-table' },
          h('summary', {}, 'Show the numbers'),
          h(
            'table',
            {},
            h('caption', { class: 'visually-hidden' }, `Requests per day with ${label}`),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, 'Day (UTC)'),
                CLASSES.map((statusClass) => h('th', { scope: 'col' }, statusClass)),
                h('th', { scope: 'col' }, 'Total'),
              ),
            ),
            h(
              'tbody',
              {},
              used.map((day) =>
                h(
                  'tr',
                  {},
                  h('th', { scope: 'row' }, day.day),
                  CLASSES.map((statusClass) => h('td', {}, String(day.counts[statusClass] ?? 0))),
                  h('td', {}, String(day.total)),
                ),
              ),
            ),
          ),
        );
  return h('figure', { class: 'usage' }, chart, h('figcaption', {}, summary), legend, details);
}
