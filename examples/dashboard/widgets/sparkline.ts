/**
 * The sparkline widget: the last values of a metric as an SVG line, drawn by
 * hand (a polyline scaled to the box), with the latest value beside it.
 */
import { scan, type Observable, type Subscription } from 'rxjs';

/** The polyline's points for `values` in a `width` x `height` box, the lowest value at the bottom. */
export function sparklinePoints(values: readonly number[], width: number, height: number): string {
  if (values.length === 0) return '';
  const low = Math.min(...values);
  const span = Math.max(...values) - low || 1;
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  return values.map((value, i) => `${(i * step).toFixed(1)},${(height - 2 - ((value - low) / span) * (height - 4)).toFixed(1)}`).join(' ');
}

/** Draws each new value of `values$` into `svg` (its `viewBox` sets the box); keeps the last `keep`. */
export function mountSparkline(svg: SVGSVGElement, values$: Observable<number>, keep = 40): Subscription {
  const { width, height } = svg.viewBox.baseVal;
  const line = svg.ownerDocument.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke', 'currentColor');
  line.setAttribute('stroke-width', '2');
  svg.append(line);
  return values$.pipe(scan((last: number[], value) => [...last, value].slice(-keep), [])).subscribe((values) => {
    line.setAttribute('points', sparklinePoints(values, width, height));
    svg.dataset['count'] = String(values.length);
  });
}
