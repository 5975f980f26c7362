import { formatClock } from './format.js';

const SVG = 'http://www.w3.org/2000/svg';
const BAR_WIDTH = 10;
const HEIGHT = 100;

/** An SVG element with presentation attributes (no style attribute: the CSP's style-src 'self' refuses those). */
function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: (SVGElement | string)[]) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  for (const child of children) element.append(child);
  return element;
}

/**
 * Calls per minute over the last hour as bars, oldest on the left, with the
 * limit in force drawn across: each bar says its minute and count to a
 * pointer (its title) and the whole chart is summed up for screen readers.
 */
export function callsChart(perMinute: readonly { minuteStart: string; calls: number }[], limit: number): SVGSVGElement {
  const width = Math.max(1, perMinute.length) * BAR_WIDTH;
  const top = Math.max(limit, ...perMinute.map((m) => m.calls), 1);
  const scale = (calls: number): number => (calls / top) * HEIGHT;
  const total = perMinute.reduce((sum, m) => sum + m.calls, 0);
  const busiest = Math.max(0, ...perMinute.map((m) => m.calls));
  const chart = svg('svg', {
    class: 'calls-chart',
    viewBox: `0 0 ${width} ${HEIGHT}`,
    preserveAspectRatio: 'none',
    role: 'img',
    'aria-label': `runliveresponse calls per minute over the last ${perMinute.length} minutes: ${total} in all, at most ${busiest} in a minute, against a limit of ${limit}`,
  });
  perMinute.forEach((minute, i) => {
    const height = scale(minute.calls);
    chart.append(
      svg(
        'rect',
        {
          class: minute.calls > limit ? 'bar over' : 'bar',
          x: i * BAR_WIDTH + 1,
          y: HEIGHT - height,
          width: BAR_WIDTH - 2,
          height,
          'data-calls': minute.calls,
        },
        svg('title', {}, `${formatClock(minute.minuteStart)}: ${minute.calls} call(s)`),
      ),
    );
  });
  const y = HEIGHT - scale(limit);
  chart.append(svg('line', { class: 'limit', x1: 0, x2: width, y1: y, y2: y }, svg('title', {}, `limit in force: ${limit} a minute`)));
  return chart;
}
