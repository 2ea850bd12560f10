// A small line chart of the last minute's rates, drawn as inline SVG: one polyline per series,
// scaled to the highest value shown. The <svg> keeps its two <polyline>s; only their points change.

const SVG_NS = 'http://www.w3.org/2000/svg';
const WIDTH = 240;
const HEIGHT = 56;
const PAD = 2;

/** Keeps the last `capacity` samples of several series, oldest first. */
export class History {
  constructor(capacity) {
    this.capacity = capacity;
    this.samples = [];
  }

  push(sample) {
    this.samples.push(sample);
    if (this.samples.length > this.capacity) {
      this.samples.shift();
    }
  }

  series(name) {
    return this.samples.map((s) => s[name]);
  }
}

/** Draws `series` ({className: values[]}) into `svg`, `capacity` points wide; returns the peak value. */
export function draw(svg, series, capacity) {
  let max = 0;
  for (const values of Object.values(series)) {
    for (const v of values) {
      max = Math.max(max, v);
    }
  }
  const scale = max > 0 ? (HEIGHT - 2 * PAD) / max : 0;
  const step = WIDTH / Math.max(1, capacity - 1);
  for (const [className, values] of Object.entries(series)) {
    let line = svg.querySelector(`polyline.${className}`);
    if (!line) {
      line = document.createElementNS(SVG_NS, 'polyline');
      line.setAttribute('class', className);
      line.setAttribute('fill', 'none');
      line.setAttribute('vector-effect', 'non-scaling-stroke');
      svg.appendChild(line);
    }
    // Right-aligned: the newest sample is at the right edge, older ones move left.
    const offset = capacity - values.length;
    const points = values.map((v, i) =>
      `${((offset + i) * step).toFixed(1)},${(HEIGHT - PAD - v * scale).toFixed(1)}`);
    line.setAttribute('points', points.join(' '));
  }
  return max;
}
