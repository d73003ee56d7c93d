// akkakd dashboard charts: small SVG drawing, no library. Each function returns an SVG string; many marks are drawn as
// one <path> per colour so a chart of thousands of configurations stays a handful of DOM nodes.
"use strict";
const Charts = (() => {
  const esc = s => String(s).replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const f = x => (Math.round(x * 10) / 10).toString();

  // Viridis, 9 stops (matplotlib's), interpolated.
  const VIR = ["#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725"];
  const hex = h => [1, 3, 5].map(i => parseInt(h.slice(i, i + 2), 16));
  function viridis(t) {
    if (!isFinite(t)) return "#ccc";
    t = Math.min(1, Math.max(0, t)) * (VIR.length - 1);
    const i = Math.min(VIR.length - 2, Math.floor(t)), u = t - i, a = hex(VIR[i]), b = hex(VIR[i + 1]);
    return "rgb(" + a.map((v, k) => Math.round(v + (b[k] - v) * u)).join(",") + ")";
  }
  const PALETTE = ["#3b5bdb", "#e8590c", "#2f9e44", "#c2255c", "#7048e8", "#1098ad", "#f08c00", "#5c940d", "#868e96"];

  function linear(d0, d1, r0, r1) {
    const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
    const s = v => r0 + (v - d0) * k;
    s.domain = [d0, d1];
    return s;
  }
  function log(d0, d1, r0, r1) {
    const l = linear(Math.log(d0), Math.log(d1), r0, r1);
    const s = v => l(Math.log(v));
    s.domain = [d0, d1];
    s.log = true;
    return s;
  }
  function ticks(d0, d1, n) {
    if (!(d1 > d0)) return [d0];
    const step0 = (d1 - d0) / n, mag = Math.pow(10, Math.floor(Math.log10(step0))), e = step0 / mag;
    const step = (e >= 5 ? 10 : e >= 2 ? 5 : e >= 1 ? 2 : 1) * mag;
    const out = [];
    for (let v = Math.ceil(d0 / step) * step; v <= d1 + step * 1e-9; v += step) out.push(+v.toPrecision(12));
    return out;
  }
  function logTicks(d0, d1) {
    const out = [];
    for (let p = Math.floor(Math.log10(d0)); p <= Math.ceil(Math.log10(d1)); p++)
      for (const m of [1, 2, 5]) { const v = m * Math.pow(10, p); if (v >= d0 && v <= d1) out.push(v); }
    return out.length ? out : [d0, d1];
  }
  function extent(values, pad) {
    let lo = Infinity, hi = -Infinity;
    for (const v of values) if (v != null && isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
    if (lo === Infinity) return [0, 1];
    if (lo === hi) { lo -= pad || 0.01; hi += pad || 0.01; }
    return [lo, hi];
  }
  const svg = (w, h, body, label) =>
    `<svg class="chart" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(label || "")}" xmlns="http://www.w3.org/2000/svg">${body}</svg>`;

  // Axes with grid lines: x at the bottom, y on the left.
  function axes(x, y, m, w, h, xfmt, yfmt, xlabel, ylabel) {
    let s = "";
    const yt = y.log ? logTicks(...y.domain) : ticks(...y.domain, 5);
    for (const t of yt) s += `<line class="gridline" x1="${m.l}" x2="${w - m.r}" y1="${f(y(t))}" y2="${f(y(t))}"/><text x="${m.l - 4}" y="${f(y(t) + 4)}" text-anchor="end">${esc(yfmt(t))}</text>`;
    const xt = x.log ? logTicks(...x.domain) : ticks(...x.domain, 6).filter(t => !x.integer || Number.isInteger(t));
    for (const t of xt) s += `<text x="${f(x(t))}" y="${h - m.b + 14}" text-anchor="middle">${esc(xfmt(t))}</text>`;
    s += `<line class="axis" x1="${m.l}" x2="${w - m.r}" y1="${h - m.b}" y2="${h - m.b}"/><line class="axis" x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${h - m.b}"/>`;
    if (xlabel) s += `<text x="${(m.l + w - m.r) / 2}" y="${h - 4}" text-anchor="middle">${esc(xlabel)}</text>`;
    if (ylabel) s += `<text transform="translate(12 ${(m.t + h - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(ylabel)}</text>`;
    return s;
  }

  // Line chart: series [{label, values: [y by x index], color}], optional dots [{x, y, color, title}].
  function lines({ series, dots = [], xLabel, yLabel, yfmt, w = 640, h = 300, xStart = 1 }) {
    const m = { l: 52, r: 12, t: 10, b: 34 };
    const n = Math.max(2, ...series.map(s => s.values.length), ...dots.map(d => d.x - xStart + 1));
    const ys = extent([...series.flatMap(s => s.values), ...dots.map(d => d.y)], 0.01);
    const x = linear(xStart, xStart + n - 1, m.l, w - m.r), y = linear(ys[0], ys[1], h - m.b, m.t);
    x.integer = true; // epochs and rungs
    let body = axes(x, y, m, w, h, t => String(t), yfmt, xLabel, yLabel);
    series.forEach((s, i) => {
      let d = "", pen = false;
      s.values.forEach((v, k) => {
        if (v == null || !isFinite(v)) { pen = false; return; }
        d += (pen ? "L" : "M") + f(x(k + xStart)) + " " + f(y(v));
        pen = true;
      });
      body += `<path d="${d}" fill="none" stroke="${s.color || PALETTE[i % PALETTE.length]}" stroke-width="${s.width || 1.8}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}><title>${esc(s.label)}</title></path>`;
    });
    for (const p of dots)
      body += `<circle cx="${f(x(p.x))}" cy="${f(y(p.y))}" r="${dots.length > 200 ? 2 : 3.2}" fill="${p.color}"><title>${esc(p.title || "")}</title></circle>`;
    return svg(w, h, body, "line chart");
  }

  // Heatmap: rows x cols cells, cell(i, j) -> {v, text, title} or null; colour by v over [min, max].
  function heatmap({ rows, cols, cell, min, max, rowLabel, colLabel, rowFmt, colFmt, w = 320 }) {
    const m = { l: 46, r: 8, t: 18, b: 30 };
    const cw = (w - m.l - m.r) / Math.max(1, cols.length), ch = Math.min(34, Math.max(18, cw * 0.6));
    const h = m.t + ch * rows.length + m.b;
    let body = `<text x="${(m.l + w - m.r) / 2}" y="12" text-anchor="middle">${esc(colLabel)}</text>`;
    cols.forEach((c, j) => body += `<text x="${f(m.l + cw * (j + 0.5))}" y="${h - m.b + 14}" text-anchor="middle">${esc(colFmt(c))}</text>`);
    rows.forEach((r, i) => {
      body += `<text x="${m.l - 4}" y="${f(m.t + ch * (i + 0.5) + 4)}" text-anchor="end">${esc(rowFmt(r))}</text>`;
      cols.forEach((c, j) => {
        const v = cell(r, c), t = v && max > min ? (v.v - min) / (max - min) : 0.5;
        const fill = v ? viridis(t) : "#f1f3f5";
        body += `<rect x="${f(m.l + cw * j)}" y="${f(m.t + ch * i)}" width="${f(cw - 1)}" height="${f(ch - 1)}" fill="${fill}"><title>${esc(v ? v.title : "not run yet")}</title></rect>`;
        if (v && cw > 30) body += `<text x="${f(m.l + cw * (j + 0.5))}" y="${f(m.t + ch * (i + 0.5) + 4)}" text-anchor="middle" style="fill:${t > 0.6 ? "#222" : "#fff"}">${esc(v.text)}</text>`;
      });
    });
    body += `<text transform="translate(10 ${f(m.t + ch * rows.length / 2)}) rotate(-90)" text-anchor="middle">${esc(rowLabel)}</text>`;
    return svg(w, h, body, "heatmap");
  }

  // Parallel coordinates: axes [{name, scale: v -> 0..1, ticks: [{v, label}]}], items [{values: [...], c: 0..1}].
  // Lines go in 10 colour buckets, one path each; the best lines are drawn last (on top).
  function parallel({ axes: ax, items, w = 640, h = 300 }) {
    const m = { l: 40, r: 60, t: 16, b: 24 };
    const X = i => m.l + (w - m.l - m.r) * i / (ax.length - 1), Y = u => h - m.b - (h - m.t - m.b) * u;
    const buckets = Array.from({ length: 10 }, () => []);
    for (const it of items) {
      let d = "";
      for (let i = 0; i < ax.length; i++) {
        const u = ax[i].scale(it.values[i]);
        if (u == null || !isFinite(u)) { d = ""; break; }
        d += (i ? "L" : "M") + f(X(i)) + " " + f(Y(u));
      }
      if (d) buckets[Math.min(9, Math.max(0, Math.floor(it.c * 10)))].push(d);
    }
    const op = items.length > 2000 ? 0.15 : items.length > 300 ? 0.35 : 0.7;
    let body = buckets.map((b, k) => b.length ? `<path d="${b.join("")}" fill="none" stroke="${viridis((k + 0.5) / 10)}" stroke-opacity="${op}" stroke-width="1.2"/>` : "").join("");
    ax.forEach((a, i) => {
      body += `<line class="axis" x1="${f(X(i))}" x2="${f(X(i))}" y1="${m.t}" y2="${h - m.b}"/><text x="${f(X(i))}" y="${h - 6}" text-anchor="middle" style="font-weight:600">${esc(a.name)}</text>`;
      for (const t of a.ticks) body += `<text x="${f(X(i) + 4)}" y="${f(Y(a.scale(t.v)) + 4)}">${esc(t.label)}</text>`;
    });
    return svg(w, h, body, "parallel coordinates");
  }

  // Scatter on a log x axis with the Pareto frontier (most accurate for at most so many parameters) and extra marks.
  function frontier({ points, marks = [], xLabel, yLabel, yfmt, w = 640, h = 300 }) {
    const m = { l: 52, r: 16, t: 12, b: 34 };
    const all = [...points, ...marks];
    const xs = extent(all.map(p => p.x)), ys = extent(all.map(p => p.y), 0.01);
    const x = log(Math.max(1, xs[0] / 1.3), xs[1] * 1.3, m.l, w - m.r), y = linear(ys[0], ys[1] + (ys[1] - ys[0]) * 0.05, h - m.b, m.t);
    let body = axes(x, y, m, w, h, v => v >= 1e6 ? (v / 1e6) + "M" : v >= 1e3 ? (v / 1e3) + "k" : String(v), yfmt, xLabel, yLabel);
    const byColor = new Map();
    for (const p of points) {
      const k = p.color;
      byColor.set(k, (byColor.get(k) || "") + "M" + f(x(p.x)) + " " + f(y(p.y)) + "h0");
    }
    for (const [c, d] of byColor) body += `<path d="${d}" stroke="${c}" stroke-width="6" stroke-linecap="round" stroke-opacity="0.75" fill="none"/>`;
    const sorted = [...points].sort((a, b) => a.x - b.x || b.y - a.y);
    let best = -Infinity, d = "";
    for (const p of sorted) if (p.y > best) { best = p.y; d += (d ? "L" : "M") + f(x(p.x)) + " " + f(y(p.y)); }
    if (d) body += `<path d="${d}" fill="none" stroke="#222" stroke-width="1.5" stroke-dasharray="4 3"><title>frontier: the most accurate for at most so many parameters</title></path>`;
    for (const p of marks)
      body += `<path d="M${f(x(p.x))} ${f(y(p.y) - 7)}l6 12h-12z" fill="${p.color}"><title>${esc(p.title)}</title></path><text x="${f(x(p.x) - 8)}" y="${f(y(p.y) + 4)}" text-anchor="end">${esc(p.label)}</text>`;
    return svg(w, h, body, "frontier");
  }

  // Timeline: one lane per node, a bar per trial from its start to its end (overlaps show busy slots).
  function timeline({ lanes, bars, t0, t1, w = 1200, tfmt }) {
    const lh = 22, m = { l: 120, r: 12, t: 6, b: 26 }, h = m.t + lh * lanes.length + m.b;
    const x = linear(t0, t1 > t0 ? t1 : t0 + 1, m.l, w - m.r);
    let body = "";
    lanes.forEach((name, i) => body += `<text x="${m.l - 6}" y="${f(m.t + lh * i + lh / 2 + 4)}" text-anchor="end">${esc(name.length > 18 ? "…" + name.slice(-17) : name)}</text><line class="gridline" x1="${m.l}" x2="${w - m.r}" y1="${m.t + lh * (i + 1)}" y2="${m.t + lh * (i + 1)}"/>`);
    const paths = new Map();
    for (const b of bars) {
      const x0 = x(b.start), x1 = Math.max(x0 + 1, x(b.end)), y0 = m.t + lh * b.lane + 3;
      paths.set(b.color, (paths.get(b.color) || "") + `M${f(x0)} ${f(y0)}h${f(x1 - x0)}v${lh - 6}h${f(x0 - x1)}z`);
    }
    for (const [c, d] of paths) body += `<path d="${d}" fill="${c}" fill-opacity="0.55" stroke="${c}" stroke-width="0.5"/>`;
    for (const t of ticks(t0, t1 > t0 ? t1 : t0 + 1, 8)) body += `<text x="${f(x(t))}" y="${h - 8}" text-anchor="middle">${esc(tfmt(t))}</text>`;
    body += `<line class="axis" x1="${m.l}" x2="${w - m.r}" y1="${h - m.b}" y2="${h - m.b}"/>`;
    return svg(w, h, body, "timeline");
  }

  return { esc, viridis, PALETTE, lines, heatmap, parallel, frontier, timeline, extent };
})();
