// akkakd dashboard: the list of sweeps and one sweep's page, kept live by Server-Sent Events (no polling).
"use strict";
(() => {
  const { esc } = Charts;
  const $ = s => document.querySelector(s);
  const main = $("#main"), live = $("#live"), crumb = $("#crumb");
  const pct = v => v == null ? "–" : (v * 100).toFixed(2);
  const num = v => v == null ? "–" : Number(v).toLocaleString("en-US");
  const fmtT = t => t == null ? "–" : String(+t.toFixed(3));
  const ago = iso => {
    if (!iso) return "–";
    const s = (Date.now() - Date.parse(iso)) / 1000;
    return s < 0 ? "now" : duration(s) + " ago";
  };
  function duration(s) {
    s = Math.max(0, Math.round(s));
    if (s < 90) return s + " s";
    if (s < 5400) return Math.round(s / 60) + " min";
    if (s < 172800) return (s / 3600).toFixed(1) + " h";
    return (s / 86400).toFixed(1) + " days";
  }
  const stat = (s, scale = 100) => s == null ? "–"
    : (s.mean * scale).toFixed(2) + (s.ci != null ? ` <span class="ci">±${(s.ci * scale).toFixed(2)}</span>` : "");
  // window.__akkakd tells tests and the benchmark what the page has drawn.
  window.__akkakd = { renders: 0, version: 0, trials: 0 };

  // The URL akkakd printed carries ?token=; the server has set a cookie, so take the token out of the address bar.
  if (location.search.includes("token=")) history.replaceState(null, "", location.pathname);

  function connect(url, event, onData) {
    let es;
    const open = () => {
      es = new EventSource(url);
      es.addEventListener(event, e => { live.textContent = "live"; live.classList.remove("off"); onData(JSON.parse(e.data)); });
      es.onerror = () => { live.textContent = "reconnecting"; live.classList.add("off"); };
    };
    open();
  }

  // Draw on the next frame, but leave the page at least twice the last drawing's time to itself between drawings:
  // a large sweep that changes ten times a second stays responsive.
  let pending = false, lastAt = 0, lastCost = 0;
  function schedule(draw) {
    if (pending) return;
    pending = true;
    const wait = Math.max(0, lastAt + 3 * lastCost - performance.now());
    setTimeout(() => requestAnimationFrame(() => {
      pending = false;
      const t = performance.now();
      draw();
      lastAt = performance.now();
      lastCost = lastAt - t;
    }), wait);
  }

  // ---------- the list of sweeps ----------
  function listPage() {
    crumb.textContent = "sweeps";
    document.title = "akkakd: sweeps";
    let sweeps = [];
    connect("/api/events", "sweeps", d => { sweeps = d; schedule(drawList); });
    function drawList() {
      if (!sweeps.length) {
        main.innerHTML = `<div class="card"><h2>No sweeps yet</h2><p class="muted">No results.jsonl under the folders given to akkakd dashboard. A sweep started there appears here within seconds.</p></div>`;
        return;
      }
      const rows = sweeps.map(s => {
        const p = s.total ? Math.min(1, s.done / s.total) : 0;
        const b = s.best;
        const best = b ? `${esc(label(b))}: ${stat(b.metric)}%${s.metric === "test" ? ' <span class="muted small">(selected on test)</span>' : ""}` : "–";
        return `<tr data-id="${esc(s.id)}"><td class="l"><a href="/sweep/${encodeURIComponent(s.id)}">${esc(s.name)}</a><div class="muted small">${esc(s.path)}</div></td>
          <td class="l"><span class="badge ${esc(s.state)}">${esc(s.state)}</span></td>
          <td><div class="bar"><span style="width:${(p * 100).toFixed(1)}%"></span></div><div class="small">${num(s.done)} / ${s.total == null ? "?" : num(s.total)}</div></td>
          <td class="l">${best}</td><td>${ago(s.last)}</td></tr>`;
      }).join("");
      main.innerHTML = `<div class="card"><h2>Sweeps</h2><table id="sweeps"><thead><tr><th class="l">sweep</th><th class="l">state</th><th>progress</th><th class="l">best so far (accuracy %, mean ± 95% interval)</th><th>last result</th></tr></thead><tbody>${rows}</tbody></table></div>`;
      window.__akkakd.renders++;
      window.__akkakd.sweeps = sweeps.length;
      if (!window.__akkakd.renderedMs) window.__akkakd.renderedMs = performance.now();
    }
  }

  const label = r => `w${r.width}${r.layers > 1 ? "×" + r.layers : ""} ${r.alpha === 0 ? "baseline" : `T ${fmtT(r.t)} α ${fmtT(r.alpha)}`}`;

  // ---------- one sweep ----------
  function sweepPage(id) {
    const S = { rows: new Map(), trials: [], view: null, rowsLeft: 0, sort: { key: "metric", asc: false }, width: "all", showAll: false, left: 0 };
    connect(`/api/sweeps/${encodeURIComponent(id)}/events`, "sweep", v => {
      if (v.full) { S.rows.clear(); S.trials = []; S.left = v.trialsLeftOut || 0; S.rowsLeft = v.rowsLeftOut || 0; }
      for (const r of v.rows) S.rows.set(r.key, r);
      if (S.rows.size > 6000) {
        // A large random search: keep the best 5,000 and every baseline, as the server does.
        const keep = new Set(rank([...S.rows.values()].filter(r => r.alpha !== 0)).slice(0, 5000).map(r => r.key));
        for (const [k, r] of S.rows) if (r.alpha !== 0 && !keep.has(k)) { S.rows.delete(k); S.rowsLeft++; }
      }
      if (v.trials.length) {
        S.trials.push(...v.trials);
        if (S.trials.length > 5000) { S.left += S.trials.length - 5000; S.trials.splice(0, S.trials.length - 5000); }
      }
      S.view = v;
      schedule(() => drawSweep(S));
    });
    main.addEventListener("click", e => {
      const th = e.target.closest("th.sortable");
      if (th) {
        const k = th.dataset.key;
        S.sort = S.sort.key === k ? { key: k, asc: !S.sort.asc } : { key: k, asc: k === "width" || k === "params" || k === "t" || k === "alpha" };
        drawSweep(S);
      }
      if (e.target.id === "show-all") { S.showAll = !S.showAll; drawSweep(S); }
    });
    main.addEventListener("change", e => { if (e.target.id === "width-filter") { S.width = e.target.value; drawSweep(S); } });
  }

  function drawSweep(S) {
    const v = S.view;
    crumb.innerHTML = `<a href="/" style="color:#bbb">sweeps</a> / ${esc(v.name)}`;
    document.title = `akkakd: ${v.name}`;
    const all = [...S.rows.values()];
    const widths = [...new Set(all.map(r => r.width))].sort((a, b) => a - b);
    if (S.width !== "all" && !widths.includes(+S.width)) S.width = "all";
    const rows = S.width === "all" ? all : all.filter(r => r.width === +S.width);
    // On the frontier the teacher stands at the ranking's accuracy (validation), or its test accuracy when it has no other.
    const teacherAcc = v.teacher ? (v.metric === "validation" ? v.teacher.valAcc ?? v.teacher.testAcc : v.teacher.testAcc) : null;
    const sections = [
      head(v),
      `<div class="grid">`,
      card("Leaderboard", leaderboard(S, rows, widths, v), "wide", "leaderboard-card"),
      card("T × α per width", heatmaps(rows, v), "wide", "heatmaps"),
      card("Validation curves", curves(v), "", "curves"),
      card("Parallel coordinates: T, α, width → " + v.metric + " accuracy", parallel(rows, v), "", "parallel"),
      card("Accuracy versus parameters", frontier(rows, v, teacherAcc), "", "frontier"),
      card("Latest trials", latest(S, v), "", "latest"),
      card("Per-node timeline", timeline(S), "wide", "timeline"),
      v.rungs && v.rungs.length ? card("Rungs (adaptive search)", rungs(v), "", "rungs") : "",
      card("Facts", facts(v), "wide", "facts"),
      `</div>`,
    ];
    const y = window.scrollY;
    main.innerHTML = sections.join("");
    window.scrollTo(0, y);
    const A = window.__akkakd;
    A.renders++; A.version = v.version; A.trials = v.trialCount; A.rows = all.length;
    if (!A.renderedMs) A.renderedMs = performance.now();
  }

  const card = (title, body, cls, id) => `<section class="card ${cls}" id="${id}"><h2>${esc(title)}</h2>${body}</section>`;

  function head(v) {
    const p = v.progress, total = p.total;
    const frac = total ? Math.min(1, p.done / total) : 0;
    const eta = p.etaAt && v.state === "running" ? duration((Date.parse(p.etaAt) - Date.now()) / 1000) : v.state === "finished" ? "done" : "–";
    const metricNote = v.metric === "validation"
      ? `<span class="muted">ranked on validation accuracy; test accuracy shown beside it</span>`
      : `<div class="note">selected on test: this journal has no validation accuracy, so the ranking uses test accuracy (an optimistic estimate).</div>`;
    const notes = [];
    if (v.notes.foreign) notes.push(`${v.notes.foreign} line(s) not understood were set aside`);
    if (v.notes.duplicates) notes.push(`${v.notes.duplicates} duplicate trial line(s) counted once`);
    if (v.notes.pendingBytes) notes.push(`a line is being written (or was torn): ${v.notes.pendingBytes} bytes`);
    if (v.notes.missing) notes.push(`the journal is gone; what was read stays here`);
    return `<section class="card" id="progress"><h1 id="sweep-title">${esc(v.name)} <span class="badge ${esc(v.state)}">${esc(v.state)}</span></h1>
      <div class="muted small">${esc(v.path)}</div>${metricNote}
      <div class="bar" style="margin-top:10px"><span style="width:${(frac * 100).toFixed(1)}%"></span></div>
      <div class="stats">
        <div><b id="done">${num(p.done)} / ${total == null ? "?" : num(total)}</b><span>trials done</span></div>
        <div><b>${eta}</b><span>ETA</span></div>
        <div><b>${p.epochs == null ? "–" : num(p.epochs)}</b><span>student epochs spent</span></div>
        <div><b>${p.diverged ? num(p.diverged) : "0"}</b><span>diverged</span></div>
        <div><b>${p.started ? new Date(p.started).toLocaleString() : "–"}</b><span>started</span></div>
        <div><b>${ago(p.last)}</b><span>last result</span></div>
      </div>${notes.length ? `<div class="note small">${esc(notes.join("; "))}</div>` : ""}</section>`;
  }

  const COLS = [
    ["rank", "#"], ["width", "width"], ["t", "T"], ["alpha", "α"], ["seeds", "seeds"], ["metric", "val %"], ["test", "test %"],
    ["gain", "gain (pts)"], ["gap", "gap to teacher (pts)"], ["params", "params"], ["compression", "compression"], ["train", "train s"], ["nodes", "nodes"],
  ];

  function rank(rows) {
    const m = r => r.metric ? r.metric.mean : -Infinity;
    return [...rows].sort((a, b) => m(b) - m(a) || (a.params ?? 0) - (b.params ?? 0) || a.alpha - b.alpha || (a.t ?? 0) - (b.t ?? 0));
  }

  function leaderboard(S, rows, widths, v) {
    const ranked = rank(rows);
    ranked.forEach((r, i) => r._rank = i + 1);
    const tp = v.teacher && v.teacher.params;
    const key = {
      rank: r => r._rank, width: r => r.width, t: r => r.t ?? -1, alpha: r => r.alpha, seeds: r => r.seeds,
      metric: r => r.metric ? r.metric.mean : -1, test: r => r.test ? r.test.mean : -1, gain: r => r.gain ? r.gain.mean : -9,
      gap: r => gapOf(r, v) ?? -9, params: r => r.params ?? 0,
      compression: r => tp && r.params ? tp / r.params : 0, train: r => r.trainSeconds, nodes: r => r.nodes.join(","),
    }[S.sort.key] || (r => r._rank);
    const sorted = S.sort.key === "metric" && !S.sort.asc ? ranked
      : [...ranked].sort((a, b) => { const x = key(a), y = key(b); return (x < y ? -1 : x > y ? 1 : 0) * (S.sort.asc ? 1 : -1); });
    const shown = S.showAll ? sorted : sorted.slice(0, 50);
    const cols = v.metric === "validation" ? COLS : COLS.filter(c => c[0] !== "test").map(c => c[0] === "metric" ? ["metric", "test %"] : c);
    const th = cols.map(([k, n]) => `<th class="sortable${S.sort.key === k ? " sorted" + (S.sort.asc ? " asc" : "") : ""}" data-key="${k}">${n}</th>`).join("");
    const body = shown.map(r => {
      const g = gapOf(r, v), gap = g == null ? "–" : (g * 100).toFixed(2);
      const cells = {
        rank: r._rank, width: r.width + (r.layers > 1 ? "×" + r.layers : ""), t: r.alpha === 0 ? "–" : fmtT(r.t), alpha: fmtT(r.alpha),
        seeds: r.seeds, metric: r.diverged ? `<span class="gain-neg">diverged at epoch ${r.divergedEpoch ?? "?"}${r.diverged < r.seeds ? ` (${r.diverged} of ${r.seeds} seeds)` : ""}</span>` : stat(r.metric),
        test: stat(r.test), gain: gainCell(r), gap,
        params: num(r.params), compression: tp && r.params ? (tp / r.params).toFixed(1) + "×" : "–",
        train: r.trainSeconds.toFixed(1), nodes: esc(r.nodes.join(", ")),
      };
      return `<tr class="${r.alpha === 0 ? "baseline" : ""}" data-key="${esc(r.key)}">${cols.map(([k]) => `<td class="${k === "nodes" ? "l" : ""}">${cells[k]}</td>`).join("")}</tr>`;
    }).join("");
    const opts = [`<option value="all">all widths</option>`, ...widths.map(w => `<option value="${w}"${String(w) === String(S.width) ? " selected" : ""}>width ${w}</option>`)].join("");
    return `<div class="controls"><label>Filter <select id="width-filter">${opts}</select></label>
      <span class="muted small">${num(rows.length)} configurations${S.rowsLeft ? ` (the best; ${num(S.rowsLeft)} more not sent to the page)` : ""}; accuracy in %, mean over seeds ± half-width of the 95% interval (Student's t); gain over the same-width baseline (α 0), paired by seed, coloured only when its interval excludes 0.</span></div>
      <div style="overflow-x:auto"><table id="leaderboard"><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table></div>
      ${sorted.length > 50 ? `<p><button id="show-all">${S.showAll ? "show the first 50" : `show all ${num(sorted.length)}`}</button></p>` : ""}`;
  }

  // Points to the teacher on the same rows: validation when both have it, else test.
  function gapOf(r, v) {
    const t = v.teacher;
    if (!t) return null;
    if (v.metric === "validation" && t.valAcc != null && r.val) return r.val.mean - t.valAcc;
    return t.testAcc != null && r.test ? r.test.mean - t.testAcc : null;
  }

  function gainCell(r) {
    if (r.alpha === 0) return `<span class="muted">baseline</span>`;
    if (r.diverged) return `<span class="muted">–</span>`;
    const g = r.gain;
    if (!g) return `<span class="muted">no baseline yet</span>`;
    const txt = (g.mean >= 0 ? "+" : "") + (g.mean * 100).toFixed(2);
    if (g.n < 2 || g.ci == null) return `${txt} <span class="ci">1 seed: no interval</span>`;
    const cls = g.mean - g.ci > 0 ? "gain-pos" : g.mean + g.ci < 0 ? "gain-neg" : "";
    return `<span class="${cls}">${txt}</span> <span class="ci">±${(g.ci * 100).toFixed(2)}</span>`;
  }

  function heatmaps(rows, v) {
    const distilled = rows.filter(r => r.alpha !== 0 && r.metric);
    if (!distilled.length) return `<p class="muted">No distilled configuration finished yet.</p>`;
    const Ts = [...new Set(distilled.map(r => r.t))].sort((a, b) => a - b);
    const As = [...new Set(distilled.map(r => r.alpha))].sort((a, b) => a - b);
    if (Ts.length > 30 || As.length > 30)
      return `<p class="muted">T and α are not on a grid here (${Ts.length} temperatures, ${As.length} alphas: a random or Sobol search); the parallel coordinates show them.</p>`;
    const byWidth = new Map();
    for (const r of distilled) {
      const k = r.width + (r.layers > 1 ? "×" + r.layers : "");
      if (!byWidth.has(k)) byWidth.set(k, { width: r.width, cells: new Map(), base: null });
      byWidth.get(k).cells.set(r.t + "|" + r.alpha, r);
    }
    for (const r of rows) if (r.alpha === 0) { const k = r.width + (r.layers > 1 ? "×" + r.layers : ""); if (byWidth.has(k)) byWidth.get(k).base = r; }
    let widths = [...byWidth.entries()].sort((a, b) => a[1].width - b[1].width);
    const more = widths.length > 24 ? widths.length - 24 : 0;
    if (more) widths = widths.sort((a, b) => Math.max(...[...b[1].cells.values()].map(r => r.metric.mean)) - Math.max(...[...a[1].cells.values()].map(r => r.metric.mean))).slice(0, 24).sort((a, b) => a[1].width - b[1].width);
    const maps = widths.map(([k, g]) => { const [min, max] = Charts.extent([...g.cells.values()].map(r => r.metric.mean)); return `<div><div class="small"><b>width ${esc(k)}</b> <span class="muted">baseline ${g.base ? stat(g.base.metric) + "%" : "not yet"}</span></div>` +
      Charts.heatmap({
        rows: Ts, cols: As, min, max, rowLabel: "T", colLabel: "α", rowFmt: fmtT, colFmt: fmtT,
        cell: (t, a) => {
          const r = g.cells.get(t + "|" + a);
          return r ? { v: r.metric.mean, text: pct(r.metric.mean), title: `${label(r)}: ${pct(r.metric.mean)}% ${v.metric} over ${r.seeds} seed(s)` } : null;
        },
      }) + `<div class="muted small">colour: ${pct(min)}% (dark) … ${pct(max)}% (yellow)</div></div>`; }).join("");
    return `<p class="muted small">Mean ${v.metric} accuracy (%) per (T, α) over seeds; each width on its own colour scale (viridis), so the best settings of every width stand out.${more ? ` ${more} more widths: filter by width to see one.` : ""}</p><div class="heatmaps">${maps}</div>`;
  }

  function curves(v) {
    const series = (v.curves || []).map((c, i) => ({ label: c.label, values: c.mean, color: Charts.PALETTE[i % Charts.PALETTE.length], dash: c.label.includes("baseline") ? "5 3" : null }));
    if (v.teacher && v.teacher.curve && v.teacher.curve.length) series.push({ label: "teacher", values: v.teacher.curve, color: "#222", width: 2.5 });
    if (!series.length) return `<p class="muted">No validation curves in this journal (they come with journal version 2: trial lines with val_acc_curve).</p>`;
    const legend = series.map(s => `<span><i style="background:${s.color}"></i>${esc(s.label)}</span>`).join("");
    return Charts.lines({ series, xLabel: "epoch", yLabel: "validation accuracy %", yfmt: t => (t * 100).toFixed(1) }) +
      `<div class="legend">${legend}</div><p class="muted small">The best configurations' mean curve over seeds, the best one's baseline (dashed) and the teacher.</p>`;
  }

  function rungs(v) {
    const series = [], dots = [];
    // Stopped configurations first (grey, underneath), then those still climbing (coloured, on top).
    const ordered = [...v.rungs].sort((a, b) => (b.decision === "stop") - (a.decision === "stop"));
    ordered.forEach((c, i) => {
      const stopped = c.decision === "stop";
      const color = stopped ? "#ced4da" : Charts.PALETTE[i % 8];
      const pts = c.points.filter(p => p.val != null);
      const vals = [];
      for (const p of pts) vals[p.rung] = p.val;
      series.push({ label: c.config + (c.decision ? ` (${c.decision})` : ""), values: vals, color, width: stopped ? 0.8 : 1.2 });
      for (const p of pts) dots.push({ x: p.rung, y: p.val, color, title: `${c.config} rung ${p.rung}${p.epoch != null ? ` (epoch ${p.epoch})` : ""}: ${pct(p.val)}%` });
    });
    return Charts.lines({ series, dots, xStart: 0, xLabel: "rung", yLabel: "validation accuracy %", yfmt: t => (t * 100).toFixed(1) }) +
      `<p class="muted small">Mean validation accuracy at each rung; ${v.rungs.length} configuration(s)${v.rungs.length >= 300 ? " (those that climbed highest)" : ""}; grey: stopped.</p>`;
  }

  function parallel(rows, v) {
    const rs = rows.filter(r => r.metric);
    if (rs.length < 2) return `<p class="muted">Needs two finished configurations.</p>`;
    const Ts = rs.filter(r => r.alpha !== 0).map(r => r.t), Ws = rs.map(r => r.width);
    const [tlo, thi] = Charts.extent(Ts), [wlo, whi] = Charts.extent(Ws), [mlo, mhi] = Charts.extent(rs.map(r => r.metric.mean));
    const lg = (lo, hi) => x => hi > lo ? (Math.log(x) - Math.log(lo)) / (Math.log(hi) - Math.log(lo)) : 0.5;
    const tS = lg(Math.max(1e-9, tlo), thi), wS = lg(Math.max(1, wlo), whi);
    const axes = [
      { name: "T", scale: t => t == null ? -0.0 : 0.08 + 0.92 * tS(t), ticks: axisTicks(Ts, tlo, thi).map(t => ({ v: t, label: fmtT(t) })).concat([{ v: null, label: "none (α 0)" }]) },
      { name: "α", scale: a => a, ticks: [0, 0.25, 0.5, 0.75, 1].map(a => ({ v: a, label: String(a) })) },
      { name: "width", scale: w => wS(w), ticks: axisTicks(Ws, wlo, whi).map(w => ({ v: w, label: String(Math.round(w)) })) },
      { name: v.metric + " %", scale: m => mhi > mlo ? (m - mlo) / (mhi - mlo) : 0.5, ticks: [mlo, (mlo + mhi) / 2, mhi].map(m => ({ v: m, label: pct(m) })) },
    ];
    const items = rs.map(r => ({ values: [r.alpha === 0 ? null : r.t, r.alpha, r.width, r.metric.mean], c: mhi > mlo ? (r.metric.mean - mlo) / (mhi - mlo) : 0.5 }))
      .sort((a, b) => a.c - b.c);
    return Charts.parallel({ axes, items }) + `<p class="muted small">One line per configuration (mean over seeds), coloured by ${v.metric} accuracy; baselines start at "none".</p>`;
  }

  // The values themselves when there are few (a grid), else five steps on a log scale (a random search).
  function axisTicks(values, lo, hi) {
    const distinct = [...new Set(values)].sort((a, b) => a - b);
    if (distinct.length <= 12) return distinct;
    return [0, 1, 2, 3, 4].map(i => +(lo * Math.pow(hi / lo, i / 4)).toPrecision(2));
  }

  function frontier(rows, v, teacherAcc) {
    const rs = rows.filter(r => r.metric && r.params);
    if (!rs.length) return `<p class="muted">No configuration with a parameter count yet.</p>`;
    const widths = [...new Set(rs.map(r => r.width))].sort((a, b) => a - b);
    const points = rs.map(r => ({ x: r.params, y: r.metric.mean, color: r.alpha === 0 ? "#868e96" : Charts.viridis(widths.length > 1 ? widths.indexOf(r.width) / (widths.length - 1) * 0.9 : 0.4) }));
    const marks = v.teacher && v.teacher.params && teacherAcc != null
      ? [{ x: v.teacher.params, y: teacherAcc, color: "#c92a2a", label: "teacher", title: `teacher: ${pct(teacherAcc)}%, ${num(v.teacher.params)} parameters` }] : [];
    return Charts.frontier({ points, marks, xLabel: "parameters (log)", yLabel: v.metric + " accuracy %", yfmt: t => (t * 100).toFixed(1) }) +
      `<p class="muted small">Each dot a configuration, coloured by width (grey: baselines); dashed: the frontier; red: the teacher.</p>`;
  }

  function timeline(S) {
    const ts = S.trials.filter(t => t.start && t.end && t.node);
    if (!ts.length) return `<p class="muted">No trial with a node and times yet.</p>`;
    const lanes = [...new Set(ts.map(t => t.node))].sort();
    let t0 = Infinity, t1 = -Infinity;
    const bars = ts.map(t => {
      const s = Date.parse(t.start), e = Date.parse(t.end);
      if (s < t0) t0 = s; if (e > t1) t1 = e;
      return { lane: lanes.indexOf(t.node), start: s, end: e, color: t.alpha === 0 ? "#868e96" : "#3b5bdb" };
    });
    const tfmt = t => new Date(t).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: t1 - t0 < 600000 ? "2-digit" : undefined });
    const busy = lanes.map((n, i) => { const mine = bars.filter(b => b.lane === i); return `${esc(n)}: ${mine.length} trials, ${duration(mine.reduce((a, b) => a + (b.end - b.start), 0) / 1000)} busy`; });
    return Charts.timeline({ lanes, bars, t0, t1, tfmt }) +
      `<p class="muted small">Each bar a trial, from its finish time minus its training time to its finish (blue: distilled, grey: baselines); overlapping bars are a node's slots.${S.left ? ` The latest ${num(S.trials.length)} of ${num(S.trials.length + S.left)} trials.` : ""} ${busy.join("; ")}</p>`;
  }

  function latest(S, v) {
    const last = S.trials.slice(-15).reverse();
    if (!last.length) return `<p class="muted">No trial finished yet.</p>`;
    const body = last.map(t => `<tr data-id="${esc(t.id)}"><td class="l">${esc(t.id)}</td><td>${t.width}</td><td>${t.alpha === 0 ? "–" : fmtT(t.t)}</td><td>${fmtT(t.alpha)}</td><td>${t.seed}</td>
      ${v.metric === "validation" ? `<td>${pct(t.val)}</td>` : ""}<td>${pct(t.test)}${t.diverged ? ' <span class="gain-neg">diverged</span>' : ""}</td><td class="l">${esc(t.node ?? "–")}</td><td>${ago(t.end)}</td></tr>`).join("");
    return `<table><thead><tr><th class="l">trial</th><th>width</th><th>T</th><th>α</th><th>seed</th>${v.metric === "validation" ? "<th>val %</th>" : ""}<th>test %</th><th class="l">node</th><th>finished</th></tr></thead><tbody>${body}</tbody></table>`;
  }

  function facts(v) {
    const h = v.header || {}, t = v.teacher;
    const items = [
      ["sweep", v.name], ["folder", v.path], ["sweep hash", h.sweepHash], ["data fingerprint", h.dataFingerprint],
      ["backend", h.backend], ["machine", h.machine], ["journal version", h.version ?? 1], ["created", h.created],
      ["rows (train / validation / test)", h.train != null ? `${num(h.train)} / ${num(h.validation)} / ${num(h.test)}` : null],
      ["threads per trial", h.threadsPerTrial],
      ["teacher", t ? `test ${pct(t.testAcc)}%${t.valAcc != null ? `, validation ${pct(t.valAcc)}%` : ""}, ${num(t.params)} parameters, ${t.trainSeconds != null ? t.trainSeconds.toFixed(1) + " s" : ""} on ${t.node ?? "?"}` : "not trained yet"],
      ["ranked on", v.metric === "validation" ? "validation accuracy" : "test accuracy (selected on test)"],
    ].filter(([, x]) => x != null && x !== "");
    const files = (v.files || []).map(n => `<a href="/api/sweeps/${encodeURIComponent(v.id)}/files/${n}">${n}</a>`).join(" · ");
    return `<dl class="facts">${items.map(([k, x]) => `<dt>${esc(k)}</dt><dd>${esc(x)}</dd>`).join("")}<dt>files</dt><dd>${files || "–"}</dd></dl>`;
  }

  const m = location.pathname.match(/^\/sweep\/([^/]+)$/);
  if (m) sweepPage(decodeURIComponent(m[1])); else listPage();
})();
