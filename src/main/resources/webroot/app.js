// Rollguard status page: hash routes, a 2 s poll of the current page's JSON, uPlot charts.
// No build step. The DOM is patched in place on every poll (see patch()), so focus, scroll
// position and the charts survive refreshes.

const POLL_MS = 2000;
const API = 'api/v1/';
const SPARK_MS = 15 * 60_000;
const HISTORY_MS = 10_000; // the overview refetches rule histories this often

// ---------------------------------------------------------------- HTML building (escaped)

class Raw { constructor(s) { this.s = s; } toString() { return this.s; } }
const raw = (s) => new Raw(s);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) =>
  ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const conv = (v) => v == null || v === false ? '' : v instanceof Raw ? v.s
  : Array.isArray(v) ? v.map(conv).join('') : esc(v);
/** Tagged template: interpolations are escaped unless they are Raw (the result of html``). */
function html(strings, ...vals) {
  let out = strings[0];
  vals.forEach((v, i) => { out += conv(v) + strings[i + 1]; });
  return new Raw(out);
}

// ---------------------------------------------------------------- formatting

const pad = (n) => String(n).padStart(2, '0');
const hms = (d) => `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
const intFmt = new Intl.NumberFormat('en-US');
const DASH = '—';

function toDate(t) {
  if (t == null || t === '') return null;
  const d = new Date(typeof t === 'string' && /^\d+$/.test(t) ? Number(t) : t);
  return isNaN(d.getTime()) ? null : d;
}
/** Local time; the date only when it is not today. */
function fmtTime(t) {
  const d = toDate(t);
  if (!d) return DASH;
  const day = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return d.toDateString() === new Date().toDateString() ? hms(d) : `${day} ${hms(d)}`;
}
function fmtDuration(ms) {
  if (ms == null || !isFinite(ms)) return DASH;
  let s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : m ? `${m}m ${s}s` : `${s}s`;
}
/** A <time> element: local time shown, UTC in the tooltip, optionally "(3m 20s ago)". */
function timeEl(t, withAgo = false) {
  const d = toDate(t);
  if (!d) return html`<span class="muted">${DASH}</span>`;
  const ago = withAgo ? ` (${fmtDuration(Date.now() - d.getTime())} ago)` : '';
  return html`<time datetime="${d.toISOString()}" title="${d.toISOString()}">${fmtTime(d)}</time>${ago}`;
}
const fmtMs = (v) => v == null ? DASH : `${v.toFixed(1)}ms`; // as the server's value_text
function fmtPct(v, digits) {
  if (v == null) return DASH;
  const p = v * 100;
  const dg = digits ?? (Math.abs(p) >= 10 || p === 0 ? 1 : Math.abs(p) >= 1 ? 2 : 3);
  return `${p.toFixed(dg)}%`;
}
const fmtCount = (v) => v == null ? DASH : intFmt.format(v);
const fmtRps = (v) => v == null ? DASH : `${v.toFixed(2)}/s`;
const fmtNum = (v) => v == null ? DASH : Number.isInteger(v) ? intFmt.format(v) : String(+v.toFixed(4));
const fmtBurn = (v) => v == null ? 'no data' : `${v.toFixed(2)}×`;
const fmtErrBound = (v) => v == null ? 'unbounded (edge bucket)' : `±${fmtPct(v, 2)}`;

/** The unit of a rule's value: from its value_text, else the left-hand side of its condition. */
function unitOf(valueText, expr) {
  const vt = typeof valueText === 'string' ? valueText.trim() : '';
  if (/%$/.test(vt)) return 'ratio';
  if (/ms$/.test(vt)) return 'ms';
  const e = (expr || '').trim().replace(/^baseline\((.*)\)$/, '$1');
  if (/^(p\d+|min|max|mean)\b/.test(e)) return 'ms';
  if (/^(error_rate|success_rate)\b/.test(e)) return 'ratio';
  if (/^request_rate\b/.test(e)) return 'rps';
  if (/%\s*$/.test(e)) return 'ratio';
  if (/\d\s*(ms|s|m)\s*$/.test(e)) return 'ms';
  return 'num';
}
function fmtUnit(v, unit) {
  if (v == null) return DASH;
  switch (unit) {
    case 'ratio': return fmtPct(v);
    case 'ms': return fmtMs(v);
    case 'rps': return fmtRps(v);
    case 'count': return fmtCount(v);
    default: return fmtNum(v);
  }
}
function fmtAxis(v, unit) {
  if (v == null) return '';
  switch (unit) {
    case 'ratio': return `${+(v * 100).toFixed(3)}%`;
    case 'ms': return `${+v.toFixed(1)}ms`;
    case 'rps': return `${+v.toFixed(2)}/s`;
    default: return String(+v.toFixed(3));
  }
}
const opOf = (when) => ((when || '').match(/(>=|<=|==|!=|>|<)/) || [''])[0];

// ---------------------------------------------------------------- small view helpers

const STATE_CLASS = {
  firing: 'bad', pending: 'warn', inactive: 'ok', ok: 'ok',
  rollback: 'bad', hold: 'warn', promote: 'ok',
  pass: 'ok', fail: 'bad', no_data: 'none',
  open: 'bad', resolved: 'ok', yes: 'ok', no: 'bad',
};
/** A text badge; `text` defaults to the state itself ("inactive" reads "ok"). */
function badge(state, text, extra = '') {
  const key = String(state ?? 'none').toLowerCase();
  const label = text ?? (key === 'inactive' ? 'ok' : key === 'no_data' ? 'no data' : key);
  return html`<span class="badge ${STATE_CLASS[key] || 'none'} ${extra}">${label}</span>`;
}
function labelsEl(labels) {
  const entries = Object.entries(labels || {});
  if (!entries.length) return html`<span class="muted">(all series)</span>`;
  return html`<span class="labels">${entries.map(([k, v]) => html`<code>${k}=${v}</code>`)}</span>`;
}
const labelText = (labels) => Object.entries(labels || {}).map(([k, v]) => `${k}=${v}`).join(', ') || 'all';
const labelKey = (labels) => JSON.stringify(Object.entries(labels || {}).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0));
const enc = encodeURIComponent;
const link = {
  rule: (n) => `#/rules/${enc(n)}`,
  incident: (id) => `#/incidents/${enc(id)}`,
  rollout: (n) => `#/rollouts/${enc(n)}`,
  slo: (n) => `#/slos/${enc(n)}`,
  explore: (params) => `#/explore?${new URLSearchParams(params)}`,
};
const incidentLink = (id) => id ? html`<a href="${link.incident(id)}">incident ${id}</a>` : html`<span class="muted">none</span>`;
function facts(pairs) {
  return html`<dl class="facts">${pairs.filter((p) => p && p[1] !== undefined)
    .map(([k, v]) => html`<dt>${k}</dt><dd>${v ?? DASH}</dd>`)}</dl>`;
}
const tableWrap = (caption, head, body) => html`<div class="table-wrap"><table>
  ${caption ? html`<caption>${caption}</caption>` : ''}
  <thead><tr>${head.map((h) => html`<th scope="col" ${/^num:/.test(h) ? raw('class="num"') : ''}>${h.replace(/^num:/, '')}</th>`)}</tr></thead>
  ${body}</table></div>`;

// ---------------------------------------------------------------- fetching

class HttpError extends Error {
  constructor(status, message, path) { super(message); this.status = status; this.path = path; }
}
class NotFound extends Error {}

/** getJSON, with null for a 404 (a history not recorded yet). */
function getJSONOrNull(path) {
  return getJSON(path).catch((e) => { if (e.status === 404) return null; throw e; });
}

async function getJSON(path) {
  let res;
  try {
    res = await fetch(API + path, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  } catch (e) {
    throw new HttpError(0, `the server did not answer (${e.message})`, path);
  }
  if (!res.ok) {
    let msg = `${res.status} ${res.statusText}`;
    try { const b = await res.json(); if (b && b.error) msg = `${res.status}: ${b.error}`; } catch { /* not JSON */ }
    throw new HttpError(res.status, msg, path);
  }
  return res.json();
}

// ---------------------------------------------------------------- DOM patching

/** Makes `container`'s children look like `markup`, touching only what differs. */
function patch(container, markup) {
  const tpl = document.createElement('template');
  tpl.innerHTML = String(markup);
  morphChildren(container, tpl.content);
}
function sameNode(a, b) {
  if (a.nodeType !== b.nodeType || a.nodeName !== b.nodeName) return false;
  if (a.nodeType !== 1) return true;
  return a.getAttribute('data-chart') === b.getAttribute('data-chart')
    && a.getAttribute('data-key') === b.getAttribute('data-key');
}
function morphChildren(from, to) {
  let cur = from.firstChild;
  for (const n of Array.from(to.childNodes)) {
    if (!cur) { from.appendChild(n); continue; }
    if (sameNode(cur, n)) { morphNode(cur, n); cur = cur.nextSibling; } else { from.replaceChild(n, cur); cur = n.nextSibling; }
  }
  while (cur) { const next = cur.nextSibling; from.removeChild(cur); cur = next; }
}
function morphNode(a, b) {
  if (a.nodeType !== 1) { if (a.nodeValue !== b.nodeValue) a.nodeValue = b.nodeValue; return; }
  for (const { name, value } of Array.from(b.attributes)) if (a.getAttribute(name) !== value) a.setAttribute(name, value);
  for (const { name } of Array.from(a.attributes)) if (!b.hasAttribute(name)) a.removeAttribute(name);
  if (a.hasAttribute('data-chart')) return; // the uPlot inside is ours, not the markup's
  morphChildren(a, b);
}

// ---------------------------------------------------------------- charts (uPlot)

const PALETTE = ['#1d4ed8', '#c2410c', '#047857', '#7c3aed', '#be185d', '#0e7490', '#a16207', '#374151'];
const THRESHOLD = { stroke: '#b3261e', dash: [6, 4], width: 1.5 };
const charts = new Map();  // key -> {u, sig, width}
const chartSpecs = new Map(); // key -> spec, filled while rendering, used by syncCharts()

/**
 * A chart placeholder; the chart itself is created or updated by syncCharts() after patching.
 * spec: {label, t (ms), series: [{label, values, stroke, dash, width}], unit, height, spark}
 */
function chart(key, spec) {
  chartSpecs.set(key, spec);
  return html`<div class="${spec.spark ? 'spark' : 'chart'}" data-chart="${key}" role="img" aria-label="${spec.label}"></div>`;
}
function chartOpts(spec, width) {
  const unit = spec.unit;
  const series = [{ label: 'Time', value: (u, v) => v == null ? DASH : fmtTime(v * 1000) }]
    .concat(spec.series.map((s) => ({
      label: s.label, stroke: s.stroke, width: s.width ?? 2, dash: s.dash,
      points: spec.spark ? { show: false } : undefined,
      value: (u, v) => fmtUnit(v, unit),
    })));
  const yRange = (u, min, max) => {
    if (min == null || max == null || !isFinite(min) || !isFinite(max)) return [0, 1];
    let lo = Math.min(0, min), hi = Math.max(max, lo);
    if (hi - lo < 1e-9) hi = lo + (unit === 'ratio' ? 0.01 : 1);
    return [lo, hi + (hi - lo) * 0.08];
  };
  const opts = {
    width, height: spec.height ?? 200, series,
    scales: { x: { time: true }, y: { range: yRange } },
    axes: [
      { stroke: '#374151', grid: { stroke: '#e5e7eb' }, ticks: { stroke: '#d1d5db' } },
      { stroke: '#374151', grid: { stroke: '#e5e7eb' }, ticks: { stroke: '#d1d5db' }, size: 72,
        values: (u, splits) => splits.map((v) => fmtAxis(v, unit)) },
    ],
  };
  if (spec.spark) {
    Object.assign(opts, {
      legend: { show: false }, cursor: { show: false }, select: { show: false },
      axes: [{ show: false }, { show: false }], padding: [3, 2, 3, 2],
    });
  }
  return opts;
}
function syncCharts(root) {
  const seen = new Set();
  for (const el of root.querySelectorAll('[data-chart]')) {
    const key = el.dataset.chart;
    const spec = chartSpecs.get(key);
    if (!spec || seen.has(key)) continue;
    seen.add(key);
    const data = [spec.t.map((x) => x / 1000), ...spec.series.map((s) => s.values)];
    const sig = `${spec.spark}|${spec.unit}|${spec.series.map((s) => s.label).join('|')}`;
    const width = spec.spark ? 160 : Math.max(200, el.clientWidth || 400);
    let c = charts.get(key);
    if (c && c.sig !== sig) { c.u.destroy(); charts.delete(key); c = null; }
    if (!c) {
      el.textContent = '';
      c = { u: new uPlot(chartOpts(spec, width), data, el), sig, width };
      for (const th of c.u.root.querySelectorAll('th:not([scope])')) th.setAttribute('scope', 'row'); // legend
      charts.set(key, c);
    } else {
      if (c.u.root.parentNode !== el) { el.textContent = ''; el.appendChild(c.u.root); }
      c.u.setData(data);
      if (Math.abs(c.width - width) > 2) { c.u.setSize({ width, height: spec.height ?? 200 }); c.width = width; }
    }
  }
  for (const [k, c] of charts) if (!seen.has(k)) { c.u.destroy(); charts.delete(k); }
  chartSpecs.clear();
}
function destroyCharts() {
  for (const c of charts.values()) c.u.destroy();
  charts.clear();
  chartSpecs.clear();
}
let resizeTimer = null;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    for (const c of charts.values()) {
      const el = c.u.root.parentNode;
      if (!el || el.classList.contains('spark')) continue;
      const width = Math.max(200, el.clientWidth);
      if (Math.abs(width - c.width) > 2) { c.u.setSize({ width, height: c.u.height }); c.width = width; }
    }
  }, 150);
});
/** Last non-null value of a column. */
function lastOf(values, t) {
  for (let i = (values || []).length - 1; i >= 0; i--) if (values[i] != null) return { v: values[i], t: t ? t[i] : null };
  return { v: null, t: null };
}
/** The columns of a history instance from `fromMs` on. */
function sliceFrom(t, cols, fromMs) {
  let i = 0;
  while (i < t.length && t[i] < fromMs) i++;
  return { t: t.slice(i), cols: cols.map((c) => (c || []).slice(i)) };
}

// ---------------------------------------------------------------- pages

/** Overview: every rule instance, firing and pending first, with sparklines; rule load status. */
const STATE_RANK = { firing: 2, pending: 1, inactive: 0 };
const worstState = (instances) => (instances || []).reduce(
  (w, i) => (STATE_RANK[i.state] ?? 0) > (STATE_RANK[w] ?? 0) ? i.state : w, 'inactive');

const overviewPage = {
  name: 'overview',
  title: () => 'Overview',
  head: () => html`<h1 tabindex="-1">Overview</h1>`,
  async load(r, st) {
    const rules = await getJSON('rules');
    const list = rules.rules || [];
    // A full hour of history per rule is large: refetch it every HISTORY_MS, and in between
    // append each instance's current reading (from /rules) to the cached columns.
    if (!st.histAt || Date.now() - st.histAt > HISTORY_MS || list.some((x) => !st.hist.has(x.name))) {
      // the server's clock, not the browser's: a browser minutes off still gets its 15 minutes
      const serverNow = Math.max(0, ...list.map((x) => x.last_evaluation || 0)) || Date.now();
      const hs = await Promise.all(list.map((x) => x.last_evaluation == null ? null
        : getJSONOrNull(`rules/${enc(x.name)}/history?since=${serverNow - SPARK_MS}`)));
      st.hist = new Map(list.map((x, i) => [x.name, hs[i]]));
      st.histAt = Date.now();
    } else {
      for (const x of list) appendReadings(st.hist.get(x.name), x);
    }
    return { rules, histories: list.map((x) => st.hist.get(x.name)) };
  },
  render({ rules, histories }) {
    const list = (rules.rules || []).map((r, i) => ({ r, h: histories[i], worst: worstState(r.instances) }));
    list.sort((a, b) => (STATE_RANK[b.worst] ?? 0) - (STATE_RANK[a.worst] ?? 0));
    const all = list.flatMap((x) => x.r.instances || []);
    const count = (s) => all.filter((i) => i.state === s).length;
    return html`
      <p class="summary-line">${badge('firing')} ${count('firing')} firing,
        ${badge('pending')} ${count('pending')} pending, ${badge('inactive')} ${count('inactive')} ok
        <span class="muted">(${list.length} rules, ${all.length} instances)</span></p>
      ${loadStatus(rules.load, rules.outbox)}
      <h2>Rules</h2>
      ${list.length === 0 ? html`<p>No rules are loaded.</p>` : tableWrap(
        'Every rule instance with its state, current value and the last 15 minutes; firing and pending first.',
        ['Rule', 'Severity', 'State', 'Instance', 'num:Value', 'num:Threshold', 'Last 15 minutes'],
        list.map(({ r, h, worst }) => ruleRows(r, h, worst)))}`;
  },
};

function appendReadings(hist, rule) {
  if (!hist || rule.last_evaluation == null) return;
  for (const inst of rule.instances || []) {
    const h = (hist.instances || []).find((x) => labelKey(x.labels) === labelKey(inst.labels));
    if (!h || !h.t.length || rule.last_evaluation <= h.t[h.t.length - 1]) continue;
    h.t.push(rule.last_evaluation); h.value.push(inst.value); h.threshold.push(inst.threshold ?? null);
    if (h.state) h.state.push(inst.state);
  }
}

function loadStatus(load, outbox) {
  if (!load) return '';
  const errs = Object.entries(load.errors || {});
  const warns = load.warnings || [];
  return html`
    <section class="panel ${load.ok ? 'ok' : 'bad'}" aria-labelledby="load-h">
      <h2 id="load-h" class="panel-h">Rule files
        ${load.ok ? badge('ok', 'loaded') : badge('fail', 'load failed')}</h2>
      <p>${load.active_rules ?? DASH} active rules since ${timeEl(load.active_since)}; last load attempt
        ${timeEl(load.attempted_at, true)}${load.ok ? '' : ' was refused: the previous rules keep running'}.
        Files: ${(load.files || []).map((f, i) => html`${i ? ', ' : ''}<code>${f}</code>`)}</p>
      ${errs.length ? html`<h3>Errors</h3>${errs.map(([file, msgs]) => html`
        <p><code>${file}</code></p><ul class="errors">${msgs.map((m) => html`<li>${m}</li>`)}</ul>`)}` : ''}
      ${warns.length ? html`<h3>Warnings</h3><ul class="errors">${warns.map((w) => html`<li>${typeof w === 'string' ? w : JSON.stringify(w)}</li>`)}</ul>` : ''}
      ${outbox && outbox.unwritten ? html`<p>${badge('fail', 'outbox')} ${outbox.unwritten} alert transitions are not yet
        written to the outbox${outbox.last_error ? html`: <code>${outbox.last_error}</code>` : ''}.</p>` : ''}
    </section>`;
}

function ruleRows(r, hist, worst) {
  const instances = r.instances && r.instances.length ? r.instances : [null];
  const byKey = new Map(((hist && hist.instances) || []).map((h) => [labelKey(h.labels), h]));
  const op = opOf(r.when);
  return html`<tbody class="rule state-${worst}" data-testid="rule-row" data-rule="${r.name}" data-state="${worst}" data-key="${r.name}">
    ${instances.map((inst, idx) => {
      const head = idx === 0 ? html`
        <th scope="rowgroup" rowspan="${instances.length}"><a href="${link.rule(r.name)}">${r.name}</a>
          <div class="muted"><code>${r.when}</code> over ${r.window}</div></th>
        <td rowspan="${instances.length}">${r.severity}</td>` : '';
      if (!inst) return html`<tr>${head}<td>${badge('inactive')}</td><td colspan="4" class="muted">no instances yet</td></tr>`;
      const unit = unitOf(inst.value_text, r.when);
      const h = byKey.get(labelKey(inst.labels));
      let spark = html`<span class="muted">no history</span>`;
      if (h && h.t && h.t.length) {
        const end = h.t[h.t.length - 1];
        const s = sliceFrom(h.t, [h.value, h.threshold], end - SPARK_MS);
        spark = chart(`spark|${r.name}|${labelKey(inst.labels)}`, {
          spark: true, unit, height: 36, t: s.t,
          label: `${r.name} ${labelText(inst.labels)}, last 15 minutes: now ${inst.value_text ?? 'no data'}, threshold ${op} ${fmtUnit(inst.threshold, unit)}`,
          series: [{ label: 'value', values: s.cols[0], stroke: PALETTE[0], width: 1.5 },
            { label: 'threshold', values: s.cols[1], ...THRESHOLD, width: 1 }],
        });
      }
      return html`<tr>${head}
        <td>${badge(inst.state)}</td>
        <td>${labelsEl(inst.labels)}${inst.incident_id ? html`<div>${incidentLink(inst.incident_id)}</div>` : ''}</td>
        <td class="num">${inst.value == null ? html`<span class="muted">no data</span>` : inst.value_text ?? fmtUnit(inst.value, unit)}</td>
        <td class="num">${inst.threshold == null ? DASH : `${op} ${fmtUnit(inst.threshold, unit)}`}</td>
        <td>${spark}</td></tr>`;
    })}</tbody>`;
}

/** Rule detail: definition, SLIs over the rule's window, per instance chart and state history. */
const rulePage = {
  name: 'rule',
  title: (r) => `Rule ${r.segs[1]}`,
  head: (r) => html`<p class="crumbs"><a href="#/">Overview</a> › rule</p><h1 tabindex="-1">Rule ${r.segs[1]}</h1>`,
  async load(r) {
    const rules = await getJSON('rules');
    const rule = (rules.rules || []).find((x) => x.name === r.segs[1]);
    if (!rule) throw new NotFound(`No rule named “${r.segs[1]}” is loaded.`);
    const q = new URLSearchParams(Object.entries(rule.select || {}));
    q.set('window', rule.window);
    if (rule.by && rule.by.length) q.set('by', rule.by.join(','));
    const [hist, slis] = await Promise.all([
      rule.last_evaluation == null ? null : getJSONOrNull(`rules/${enc(rule.name)}/history`),
      getJSON(`query?${q}`),
    ]);
    return { rule, hist, slis, q: q.toString() };
  },
  render({ rule: r, hist, slis, q }) {
    const byKey = new Map(((hist && hist.instances) || []).map((h) => [labelKey(h.labels), h]));
    const op = opOf(r.when);
    return html`
      <p class="summary-line">${badge(worstState(r.instances))} ${r.description || ''}</p>
      <h2>Definition</h2>
      ${facts([
        ['Condition', html`<code>${r.when}</code>`], ['Window', r.window], ['For', r.for],
        ['Consecutive', r.consecutive], ['Min samples', r.min_samples], ['Keep firing for', r.keep_firing_for],
        ['Severity', r.severity], ['Select', labelsEl(r.select)],
        ['By', r.by && r.by.length ? r.by.join(', ') : html`<span class="muted">none</span>`],
        r.baseline ? ['Baseline', labelsEl(r.baseline)] : null,
        ['File', html`<code>${r.file}</code>`],
        ['Last evaluation', html`${timeEl(r.last_evaluation)}${r.evaluation_ms != null ? ` in ${r.evaluation_ms.toFixed(2)} ms` : ''}`],
      ])}
      <h2>SLIs over the last ${slis.window}</h2>
      <p class="chart-note">From <a href="${API}query?${q}">/api/v1/query</a>
        with the rule's selection; quantile error bound of the answer: ${fmtErrBound(slis.quantile_relative_error)}.</p>
      ${slisTable(slis)}
      <h2>Instances</h2>
      ${(r.instances || []).length === 0 ? html`<p>No instances yet.</p>` : ''}
      ${(r.instances || []).map((inst, idx) => instanceSection(r, inst, byKey.get(labelKey(inst.labels)), op, idx))}`;
  },
};

function slisTable(q) {
  const rows = q.results || [];
  return tableWrap(null, ['Series', 'num:Count', 'num:Errors', 'num:Error rate', 'num:Requests/s', 'num:P50', 'num:P95', 'num:P99', 'num:Quantile error'],
    html`<tbody>${rows.map((x) => html`<tr><th scope="row">${labelsEl(x.labels)}</th>
      <td class="num">${fmtCount(x.count)}</td><td class="num">${fmtCount(x.errors)}</td>
      <td class="num">${fmtPct(x.error_rate)}</td><td class="num">${fmtRps(x.request_rate)}</td>
      <td class="num">${fmtMs(x.p50)}</td><td class="num">${fmtMs(x.p95)}</td><td class="num">${fmtMs(x.p99)}</td>
      <td class="num">${x.count ? fmtErrBound(x.quantile_relative_error) : DASH}</td></tr>`)}</tbody>`);
}

function instanceSection(r, inst, h, op, idx) {
  const unit = unitOf(inst.value_text, r.when);
  const id = `inst-${idx}`;
  let chartPart = html`<p class="muted">No evaluation history yet.</p>`;
  let transitions = [];
  if (h && h.t && h.t.length) {
    transitions = (h.transitions || []).slice().reverse();
    chartPart = html`<figure class="chart-box">
      <figcaption>Value and threshold, last ${histSpan(h.t)}</figcaption>
      ${chart(`rule|${r.name}|${labelKey(inst.labels)}`, {
        unit, height: 220, t: h.t,
        label: `${r.name} ${labelText(inst.labels)}: value against threshold over time`,
        series: [{ label: 'value', values: h.value, stroke: PALETTE[0] },
          { label: `threshold (${op})`, values: h.threshold, ...THRESHOLD }],
      })}
      <p class="chart-note">Latest: ${inst.value_text ?? 'no data'} against ${op} ${fmtUnit(inst.threshold, unit)}
        (${h.t.length} evaluations since ${timeEl(h.t[0])}).</p></figure>`;
  }
  return html`<section aria-labelledby="${id}" data-key="${labelKey(inst.labels)}">
    <h3 id="${id}">${badge(inst.state)} ${labelText(inst.labels)}</h3>
    ${facts([
      ['State', html`${badge(inst.state)} ${inst.state}`],
      ['Value', html`${inst.value == null ? 'no data' : inst.value_text ?? fmtUnit(inst.value, unit)} vs ${op} ${fmtUnit(inst.threshold, unit)}`],
      ['Active since', timeEl(inst.active_since, true)], ['Fired at', timeEl(inst.fired_at)],
      ['Incident', incidentLink(inst.incident_id)],
    ])}
    ${chartPart}
    <h4>State history</h4>
    ${transitions.length === 0 ? html`<p class="muted">No state changes in the retained history.</p>`
      : tableWrap(null, ['At', 'From', 'To'], html`<tbody>${transitions.map((t) => html`<tr>
        <th scope="row">${timeEl(t.at)}</th><td>${badge(t.from)}</td><td>${badge(t.to)}</td></tr>`)}</tbody>`)}
  </section>`;
}
const histSpan = (t) => fmtDuration(t[t.length - 1] - t[0]);

/** Incidents list. */
const incidentsPage = {
  name: 'incidents',
  title: () => 'Incidents',
  head: () => html`<h1 tabindex="-1">Incidents</h1>`,
  load: () => getJSON('incidents?limit=100'),
  render(d) {
    const list = d.incidents || [];
    if (!list.length) return html`<p>No incidents.</p>`;
    return tableWrap(`${list.length} most recent incidents, newest first.`,
      ['Incident', 'State', 'Rule', 'Severity', 'Labels', 'Breach started', 'Fired', 'Resolved', 'Receivers'],
      html`<tbody>${list.map((i) => html`<tr data-testid="incident-row" data-incident="${i.id}" data-state="${i.state}">
        <th scope="row"><a href="${link.incident(i.id)}"><code>${i.id}</code></a></th>
        <td>${badge(i.state)}</td><td>${sourceLink(i)}</td><td>${i.severity}</td>
        <td>${labelsEl(i.labels)}</td><td>${timeEl(i.breach_started_at)}</td><td>${timeEl(i.fired_at)}</td>
        <td>${i.resolved_at ? timeEl(i.resolved_at) : html`<span class="muted">open</span>`}</td>
        <td>${(i.receivers || []).join(', ') || DASH}</td></tr>`)}</tbody>`);
  },
};
const ruleLinkIfAny = (name) => name ? html`<a href="${link.rule(name)}">${name}</a>` : DASH;
/** What raised an incident: a rule, a rollout's rollback, an SLO tier, or the rule files. */
function sourceLink(i) {
  const l = i.labels || {};
  if (l.rollout) return html`rollout <a href="${link.rollout(l.rollout)}">${l.rollout}</a>`;
  if (l.slo) return html`SLO <a href="${link.slo(l.slo)}">${l.slo}</a>${l.tier ? ` (${l.tier} tier)` : ''}`;
  if (l.rule_files || i.rule === 'rule-files') return html`${i.rule} <a href="#/">(load status)</a>`;
  return ruleLinkIfAny(i.rule);
}

/** Incident detail: summary, firing and resolution readings, timeline, delivery attempts. */
const incidentPage = {
  name: 'incident',
  title: (r) => `Incident ${r.segs[1]}`,
  head: (r) => html`<p class="crumbs"><a href="#/incidents">Incidents</a> › incident</p><h1 tabindex="-1">Incident ${r.segs[1]}</h1>`,
  async load(r, st) {
    const id = r.segs[1];
    if (!st.known) {
      // Ask the list first: a plain GET of an unknown id would log a 404 in the console.
      const list = await getJSON('incidents?limit=500');
      if (!(list.incidents || []).some((i) => i.id === id)) throw new NotFound(`No incident with id “${id}” (yet).`);
      st.known = true;
    }
    return getJSON(`incidents/${enc(id)}`);
  },
  render(i) {
    const attempts = i.attempts || [];
    const events = [
      { at: i.breach_started_at, what: html`breach started` },
      { at: i.fired_at, what: html`${badge('firing')} fired` },
      ...attempts.map((a) => ({ at: a.at, what: html`notification to <strong>${a.receiver}</strong> (${a.event}, attempt ${a.attempt}): ${a.status ?? 'no answer'} – ${a.next ?? ''}` })),
      i.resolved_at ? { at: i.resolved_at, what: html`${badge('resolved')} resolved` } : null,
    ].filter((e) => e && toDate(e.at)).sort((a, b) => toDate(a.at) - toDate(b.at));
    return html`
      <p class="summary-line">${badge(i.state)} ${sourceLink(i)} ${labelsEl(i.labels)}</p>
      <p><a href="${API}incidents/${enc(i.id)}/report">Postmortem report (Markdown)</a></p>
      ${facts([
        ['State', badge(i.state)], ['Raised by', sourceLink(i)], ['Severity', i.severity],
        ['Labels', labelsEl(i.labels)], ['Breach started', timeEl(i.breach_started_at)],
        ['Fired', timeEl(i.fired_at, true)], ['Resolved', i.resolved_at ? timeEl(i.resolved_at, true) : 'not yet'],
        ['Receivers', (i.receivers || []).join(', ') || DASH],
      ])}
      <div class="charts">
        ${reading('At firing', i.firing)}
        ${reading('At resolution', i.resolution)}
      </div>
      <h2>Timeline</h2>
      <ol class="timeline">${events.map((e) => html`<li>${timeEl(e.at)}: ${e.what}</li>`)}</ol>
      <h2>Delivery attempts</h2>
      ${attempts.length === 0 ? html`<p>No delivery attempts.</p>` : tableWrap(null,
        ['Receiver', 'Event', 'num:Attempt', 'At', 'Status', 'num:Latency', 'Next', 'Error'],
        html`<tbody>${attempts.map((a) => html`<tr>
          <th scope="row">${a.receiver}</th><td>${a.event}</td><td class="num">${a.attempt}</td><td>${timeEl(a.at)}</td>
          <td>${a.status == null ? badge('fail', 'no answer') : badge(a.status >= 200 && a.status < 300 ? 'ok' : 'fail', String(a.status))}</td>
          <td class="num">${fmtMs(a.latency_ms)}</td><td>${a.next ?? DASH}</td><td>${a.error ? html`<code>${a.error}</code>` : ''}</td></tr>`)}</tbody>`)}`;
  },
};

function reading(title, x) {
  if (!x) return html`<section><h2>${title}</h2><p class="muted">Not yet.</p></section>`;
  const thr = typeof x.threshold === 'number' ? fmtUnit(x.threshold, unitOf(x.value_text, x.expr)) : x.threshold;
  return html`<section><h2>${title}</h2>
    ${facts([
      ['At', timeEl(x.at)], ['Condition', x.expr ? html`<code>${x.expr}</code>` : undefined], ['Window', x.window || undefined],
      ['Value', x.value_text ?? fmtNum(x.value)], ['Threshold', thr || undefined], ['Reason', x.reason || undefined],
    ])}
    ${x.slis && x.slis.length ? tableWrap(null, ['SLI', 'num:Value', 'num:Samples', 'num:Error bound'],
      html`<tbody>${x.slis.map((s) => html`<tr><th scope="row"><code>${s.expr ?? s.name ?? ''}</code></th>
        <td class="num">${s.value_text ?? fmtUnit(s.value, unitOf(null, s.expr))}</td><td class="num">${fmtCount(s.samples)}</td>
        <td class="num">${fmtErrBound(s.relative_error)}</td></tr>`)}</tbody>`) : ''}
    ${x.annotations && Object.keys(x.annotations).length ? html`<h3>Annotations</h3>${facts(Object.entries(x.annotations))}` : ''}
  </section>`;
}

/** Rollouts list. */
const rolloutsPage = {
  name: 'rollouts',
  title: () => 'Rollouts',
  head: () => html`<h1 tabindex="-1">Rollouts</h1>`,
  load: () => getJSON('rollouts'),
  render(d) {
    const list = d.rollouts || [];
    if (!list.length) return html`<p>No rollouts are defined.</p>`;
    return tableWrap(null, ['Rollout', 'Verdict', 'Stage', 'num:Traffic', 'Stage since', 'Next stage', 'Reasons'],
      html`<tbody>${list.map((v) => html`<tr data-key="${v.rollout}">
        <th scope="row"><a href="${link.rollout(v.rollout)}">${v.rollout}</a></th>
        <td><span data-testid="rollout-verdict" data-rollout="${v.rollout}" data-verdict="${v.verdict}">${badge(v.verdict)}</span></td>
        <td>${v.stage ? v.stage.name : DASH}</td><td class="num">${v.stage ? fmtPct(v.stage.traffic, 0) : DASH}</td>
        <td>${v.stage ? timeEl(v.stage.since, true) : DASH}</td><td>${v.next_stage ?? html`<span class="muted">last stage</span>`}</td>
        <td><ul class="plain reasons">${(v.reasons || []).map((x) => html`<li>${x}</li>`)}</ul></td></tr>`)}</tbody>`);
  },
};

/** Rollout detail: stage, verdict and reasons, criteria, canary vs baseline charts. */
const rolloutPage = {
  name: 'rollout',
  title: (r) => `Rollout ${r.segs[1]}`,
  head: (r) => html`<p class="crumbs"><a href="#/rollouts">Rollouts</a> › rollout</p><h1 tabindex="-1">Rollout ${r.segs[1]}</h1>`,
  async load(r) {
    // The list, not /rollouts/{name}: an unknown name must not log a 404.
    const all = await getJSON('rollouts');
    const v = (all.rollouts || []).find((x) => x.rollout === r.segs[1]);
    if (!v) throw new NotFound(`No rollout named “${r.segs[1]}”.`);
    let canary = null, base = null;
    if (v.select && v.stage) {
      const cq = new URLSearchParams({ ...v.select, [v.stage_label || 'stage']: v.stage.name, window: v.window || '5m' });
      canary = await getJSON(`query_range?${cq}`);
      if (v.baseline) {
        const bq = new URLSearchParams({ ...v.select, ...v.baseline, window: v.window || '5m',
          start: canary.start, end: canary.end, step: canary.step });
        base = await getJSON(`query_range?${bq}`);
      }
    }
    return { v, canary, base };
  },
  render({ v, canary, base }) {
    const st = v.stage || {};
    const stageLabel = v.stage_label || 'stage';
    return html`
      <section class="panel ${STATE_CLASS[v.verdict] || ''}" aria-labelledby="verdict-h">
        <h2 id="verdict-h" class="panel-h">Verdict
          <span data-testid="rollout-verdict" data-rollout="${v.rollout}" data-verdict="${v.verdict}">${badge(v.verdict, null, 'big')}</span></h2>
        <p>Since ${timeEl(v.since, true)}; evaluated ${timeEl(v.evaluated_at)}.
          ${v.incident_id ? html`Rollback ${incidentLink(v.incident_id)}.` : ''}</p>
        <h3>Reasons</h3>
        <ul class="reasons" data-testid="rollout-reasons">${(v.reasons || []).length
          ? v.reasons.map((x) => html`<li>${x}</li>`) : html`<li class="muted">No reasons given.</li>`}</ul>
      </section>
      <h2>Live stage</h2>
      ${facts([
        ['Stage', html`<strong>${st.name}</strong> (${st.index != null ? `stage ${st.index + 1}` : ''})`],
        ['Traffic', fmtPct(st.traffic, 0)], ['Since', timeEl(st.since, true)], ['Min duration', st.min_duration ?? DASH],
        ['Set by deployer', st.set_by_deployer ? 'yes' : 'no'], ['Next stage', v.next_stage ?? 'none (last stage)'],
        ['Attempt', v.attempt], ['Window', v.window],
        ['Promotion criteria holding since', v.promote_holding_since ? timeEl(v.promote_holding_since, true) : 'not holding'],
        ['Selection', html`${labelsEl(v.select)} + <code>${stageLabel}=${st.name}</code>`],
        ['Baseline', v.baseline ? labelsEl({ ...v.select, ...v.baseline }) : html`<span class="muted">none</span>`],
      ])}
      <h2>Promote when (all must hold)</h2>
      ${criteriaTable(v.promote_when || [], false)}
      <h2>Roll back when (any one firing)</h2>
      ${criteriaTable(v.rollback_when || [], true)}
      <h2>Canary vs baseline, last 15 minutes</h2>
      ${canary ? rolloutCharts(v, canary, base) : html`<p class="muted">This server does not report the rollout's selection.</p>`}`;
  },
};

function holdsBadge(c, isRollback) {
  if (c.holds == null || c.no_data) return badge('no_data', 'no data');
  if (isRollback) return c.holds ? badge('fail', 'yes') : badge('ok', 'no');
  return c.holds ? badge('ok', 'yes') : badge('fail', 'no');
}
/** A rollback criterion's persistence: "for 5m", "3 in a row", or "once". */
const mustHold = (c) => [c.for && c.for !== '0s' ? `for ${c.for}` : null,
  c.consecutive > 1 ? `${c.consecutive} evaluations in a row` : null].filter(Boolean).join(', ') || 'once';
function criteriaTable(list, isRollback) {
  if (!list.length) return html`<p class="muted">None.</p>`;
  const head = ['Criterion', 'num:Value', 'Compared with', 'Holds', 'Samples', 'num:Min samples'];
  if (isRollback) head.push('Must hold', 'State', 'Since');
  return tableWrap(null, head, html`<tbody>${list.map((c) => html`<tr>
    <th scope="row"><code>${c.expr}</code></th>
    <td class="num">${c.value == null ? html`<span class="muted">no data</span>` : c.value_text ?? fmtNum(c.value)}</td>
    <td>${typeof c.threshold === 'number' ? fmtNum(c.threshold) : c.threshold ?? DASH}</td>
    <td>${holdsBadge(c, isRollback)}</td>
    <td>${(c.slis || []).map((s) => html`<div><code>${s.expr}</code>: ${fmtCount(s.samples)}</div>`)}</td>
    <td class="num">${c.min_samples ?? DASH}</td>
    ${isRollback ? html`<td>${mustHold(c)}</td>
      <td>${badge(c.state || 'inactive')}</td><td>${c.since ? timeEl(c.since) : DASH}</td>` : ''}
  </tr>`)}</tbody>`);
}

function rolloutCharts(v, canary, base) {
  const c = (canary.results || [])[0] || { t: [] };
  const b = base ? (base.results || [])[0] || { t: [] } : null;
  const tables = [[c.t || [], c.p95 || [], c.error_rate || []]];
  if (b) tables.push([b.t || [], b.p95 || [], b.error_rate || []]);
  const joined = uPlot.join(tables);
  const t = joined[0];
  const canaryName = v.stage.name === 'canary' ? 'canary' : `canary (${v.stage.name})`;
  const p95s = [{ label: `${canaryName} P95`, values: joined[1], stroke: PALETTE[1] }];
  const errs = [{ label: `${canaryName} error rate`, values: joined[2], stroke: PALETTE[1] }];
  if (b) {
    p95s.push({ label: 'baseline P95', values: joined[3], stroke: PALETTE[0], dash: [8, 4] });
    errs.push({ label: 'baseline error rate', values: joined[4], stroke: PALETTE[0], dash: [8, 4] });
  }
  const lc = { p95: lastOf(c.p95).v, er: lastOf(c.error_rate).v };
  const lb = b ? { p95: lastOf(b.p95).v, er: lastOf(b.error_rate).v } : null;
  return html`<div class="charts">
    <figure class="chart-box"><figcaption>P95 latency over a trailing ${canary.window}</figcaption>
      ${chart(`rollout|${v.rollout}|p95`, { unit: 'ms', t, series: p95s, label: `P95 latency of the canary${b ? ' and the baseline' : ''}, last 15 minutes` })}
      <p class="chart-note">Latest P95: canary ${fmtMs(lc.p95)}${lb ? `, baseline ${fmtMs(lb.p95)}` : ''}.</p></figure>
    <figure class="chart-box"><figcaption>Error rate over a trailing ${canary.window}</figcaption>
      ${chart(`rollout|${v.rollout}|err`, { unit: 'ratio', t, series: errs, label: `Error rate of the canary${b ? ' and the baseline' : ''}, last 15 minutes` })}
      <p class="chart-note">Latest error rate: canary ${fmtPct(lc.er)}${lb ? `, baseline ${fmtPct(lb.er)}` : ''}.</p></figure>
  </div>`;
}

/** SLOs list. */
const budgetEl = (s) => html`<span data-testid="slo-budget" data-slo="${s.name}" data-budget="${s.error_budget_remaining ?? ''}">${
  s.error_budget_remaining == null ? 'no data' : fmtPct(s.error_budget_remaining, 1)}${
  s.error_budget_remaining != null && s.error_budget_remaining < 0 ? ' (overspent)' : ''}</span>`;
const sloStatus = (s) => badge(s.status === 'NO_DATA' ? 'no_data' : s.status, s.status === 'NO_DATA' ? 'NO DATA' : s.status);

const slosPage = {
  name: 'slos',
  title: () => 'SLOs',
  head: () => html`<h1 tabindex="-1">Service level objectives</h1>`,
  load: () => getJSON('slos'),
  render(d) {
    const list = d.slos || [];
    if (!list.length) return html`<p>No SLOs are defined.</p>`;
    return html`<p class="muted">Evaluated ${timeEl(d.evaluated_at)}.</p>${tableWrap(null,
      ['SLO', 'Status', 'num:Objective', 'num:Attainment', 'num:Error budget left', 'Burn rates', 'Alert tiers'],
      html`<tbody>${list.map((s) => html`<tr data-key="${s.name}">
        <th scope="row"><a href="${link.slo(s.name)}">${s.name}</a><div class="muted">${s.period}</div></th>
        <td>${sloStatus(s)}</td><td class="num">${fmtPct(s.objective)}</td><td class="num">${fmtPct(s.attainment, 3)}</td>
        <td class="num">${budgetEl(s)}</td>
        <td><ul class="inline">${Object.entries(s.burn_rates || {}).map(([w, b]) => html`<li>${w}: ${fmtBurn(b)}</li>`)}</ul></td>
        <td>${(s.tiers || []).map((t) => html`<div>${t.name}: ${badge(t.state)}</div>`)}</td></tr>`)}</tbody>`)}`;
  },
};

/** SLO detail: status, budget, burn rates, tiers, budget burn-down. */
const sloPage = {
  name: 'slo',
  title: (r) => `SLO ${r.segs[1]}`,
  head: (r) => html`<p class="crumbs"><a href="#/slos">SLOs</a> › SLO</p><h1 tabindex="-1">SLO ${r.segs[1]}</h1>`,
  async load(r) {
    const all = await getJSON('slos');
    const s = (all.slos || []).find((x) => x.name === r.segs[1]);
    if (!s) throw new NotFound(`No SLO named “${r.segs[1]}”.`);
    const hist = await getJSONOrNull(`slos/${enc(s.name)}/history`);
    return { s, hist, at: all.evaluated_at };
  },
  render({ s, hist, at }) {
    let charts = html`<p class="muted">No history yet.</p>`;
    if (hist && hist.t && hist.t.length) {
      const zero = hist.t.map(() => 0), obj = hist.t.map(() => s.objective);
      charts = html`<div class="charts">
        <figure class="chart-box"><figcaption>Error budget left</figcaption>
          ${chart(`slo|${s.name}|budget`, { unit: 'ratio', t: hist.t, label: `Error budget left of ${s.name} over time`,
            series: [{ label: 'budget left', values: hist.error_budget_remaining, stroke: PALETTE[0] },
              { label: 'exhausted (0%)', values: zero, ...THRESHOLD }] })}
          <p class="chart-note">Latest: ${fmtPct(lastOf(hist.error_budget_remaining).v, 1)} of the ${s.period} budget left.</p></figure>
        <figure class="chart-box"><figcaption>Attainment against the objective</figcaption>
          ${chart(`slo|${s.name}|att`, { unit: 'ratio', t: hist.t, label: `Attainment of ${s.name} against its objective over time`,
            series: [{ label: 'attainment', values: hist.attainment, stroke: PALETTE[2] },
              { label: `objective ${fmtPct(s.objective)}`, values: obj, ...THRESHOLD }] })}
          <p class="chart-note">Latest: ${fmtPct(lastOf(hist.attainment).v, 3)} against ${fmtPct(s.objective)}.</p></figure></div>`;
    }
    return html`
      <p class="summary-line">${sloStatus(s)} ${s.description || ''}</p>
      ${facts([
        ['Status', sloStatus(s)], ['Objective', html`${fmtPct(s.objective)} over ${s.period}`],
        ['Good requests', html`<code>${s.good}</code>`], s.select ? ['Select', labelsEl(s.select)] : null,
        ['Attainment', fmtPct(s.attainment, 3)],
        ['Requests', html`${fmtCount(s.good_requests)} good of ${fmtCount(s.total_requests)}`],
        ['Error budget left', budgetEl(s)], ['Evaluated', timeEl(at)],
      ])}
      <h2>Budget burn-down</h2>
      ${charts}
      <h2>Burn rates</h2>
      ${tableWrap('1× spends the budget exactly over the period.', ['Window', 'num:Burn rate'],
        html`<tbody>${Object.entries(s.burn_rates || {}).map(([w, b]) => html`<tr><th scope="row">${w}</th><td class="num">${fmtBurn(b)}</td></tr>`)}</tbody>`)}
      <h2>Alert tiers</h2>
      ${(s.tiers || []).length === 0 ? html`<p class="muted">None.</p>` : tableWrap(null,
        ['Tier', 'Severity', 'State', 'Suppressed', 'Fires when', 'Fired at', 'Incident'],
        html`<tbody>${s.tiers.map((t) => html`<tr>
          <th scope="row">${t.name}</th><td>${t.severity}</td><td>${badge(t.state)}</td>
          <td>${t.suppressed ? 'yes (a faster tier fires)' : 'no'}</td>
          <td><ul class="plain">${(t.windows || []).map((w) => html`<li>burn rate ≥ ${w.burn_rate}× over ${w.long} and ${w.short}
            <span class="muted">(now ${fmtBurn((s.burn_rates || {})[w.long])} / ${fmtBurn((s.burn_rates || {})[w.short])})</span></li>`)}</ul></td>
          <td>${timeEl(t.fired_at)}</td><td>${incidentLink(t.incident_id)}</td></tr>`)}</tbody>`)}`;
  },
};

/** Series explorer: a form in the hash, query_range charts, current values, the series list. */
const WINDOWS = ['10s', '30s', '1m', '5m', '15m', '1h'];
const RANGES = ['5m', '15m', '30m', '1h', '3h', '6h'];
const RESERVED = new Set(['window', 'by', 'range', 'start', 'end', 'step']);
const durMs = (d) => {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(d || '');
  return m ? Number(m[1]) * { ms: 1, s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[m[2]] : null;
};
function exploreParams(r) {
  const matchers = [];
  for (const [k, v] of r.params) if (!RESERVED.has(k)) matchers.push([k, v]);
  return { matchers, window: r.params.get('window') || '1m', range: r.params.get('range') || '15m', by: r.params.get('by') || '' };
}
const optionList = (values, cur) => (values.includes(cur) ? values : [cur, ...values])
  .map((v) => html`<option value="${v}" ${v === cur ? raw('selected') : ''}>${v}</option>`);

const explorePage = {
  name: 'explore',
  title: () => 'Series explorer',
  head(r) {
    const p = exploreParams(r);
    return html`<h1 tabindex="-1">Series explorer</h1>
      <form class="explore" id="explore-form" role="search" aria-label="Series query">
        <div class="field"><label for="f-matchers">Label matchers</label>
          <input type="text" id="f-matchers" name="matchers" value="${p.matchers.map(([k, v]) => `${k}=${v}`).join(' ')}"
            placeholder="service=checkout stage=canary" aria-describedby="f-matchers-hint" autocomplete="off" spellcheck="false">
          <span class="hint" id="f-matchers-hint">Space-separated <code>key=value</code>; <code>key=~regex</code>, <code>key=!value</code>.</span></div>
        <div class="field"><label for="f-window">Window</label>
          <select id="f-window" name="window">${optionList(WINDOWS, p.window)}</select></div>
        <div class="field"><label for="f-range">Range</label>
          <select id="f-range" name="range">${optionList(RANGES, p.range)}</select></div>
        <div class="field"><label for="f-by">Group by</label>
          <input type="text" id="f-by" name="by" value="${p.by}" placeholder="stage,version" autocomplete="off" spellcheck="false"></div>
        <button type="submit">Show</button>
      </form>`;
  },
  mounted(root) {
    root.querySelector('#explore-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const f = e.target.elements;
      const q = new URLSearchParams();
      for (const m of f.namedItem('matchers').value.trim().split(/\s+|,(?=\s*[A-Za-z_][\w.-]*=)/).filter(Boolean)) {
        const i = m.indexOf('=');
        if (i > 0) q.append(m.slice(0, i), m.slice(i + 1));
      }
      q.set('window', f.namedItem('window').value);
      q.set('range', f.namedItem('range').value);
      const by = f.namedItem('by').value.replace(/\s+/g, '');
      if (by) q.set('by', by);
      const hash = `#/explore?${q}`;
      if (location.hash === hash) navigate(false); else location.hash = hash;
    });
  },
  async load(r) {
    const p = exploreParams(r);
    const q = new URLSearchParams(p.matchers);
    q.set('window', p.window);
    if (p.by) q.set('by', p.by);
    const rangeMs = durMs(p.range) || SPARK_MS;
    const series = await getJSON('series?limit=100');
    try {
      const now = await getJSON(`query?${q}`); // its `time` is the server's clock: the range ends there
      const rq = new URLSearchParams(q);
      const end = now.time ?? Date.now();
      rq.set('end', end); rq.set('start', end - rangeMs);
      const range = await getJSON(`query_range?${rq}`);
      return { p, now, range, series };
    } catch (e) {
      if (e.status === 400) return { p, error: e.message, series };
      throw e;
    }
  },
  render({ p, now, range, series, error }) {
    const results = (range && range.results) || [];
    let body;
    if (error) body = html`<p class="panel bad">${badge('fail', 'error')} The query was refused: ${error}</p>`;
    else {
      const t = results.length ? results[0].t : [];
      const name = (x) => results.length > 1 || Object.keys(x.labels || {}).length ? labelText(x.labels) : 'all';
      const color = (i) => PALETTE[i % PALETTE.length];
      const lat = results.flatMap((x, i) => [
        { label: `${name(x)} P50`, values: x.p50, stroke: color(i), dash: [2, 3] },
        { label: `${name(x)} P95`, values: x.p95, stroke: color(i) },
        { label: `${name(x)} P99`, values: x.p99, stroke: color(i), dash: [8, 4] }]);
      const key = `${p.by}|${results.map((x) => labelKey(x.labels)).join(';')}`;
      const latest = results.map((x) => `${name(x)}: ${fmtCount(lastOf(x.count).v)} requests, ` +
        `error rate ${fmtPct(lastOf(x.error_rate).v)}, P50 ${fmtMs(lastOf(x.p50).v)}, P95 ${fmtMs(lastOf(x.p95).v)}, P99 ${fmtMs(lastOf(x.p99).v)}`);
      body = html`
        <h2>Over the last ${p.range} <span class="muted">(each point: the trailing ${range.window}, step ${range.step})</span></h2>
        <div class="charts" data-testid="explore-chart">
          ${results.length === 0 ? html`<p class="panel warn">No series match these label matchers.</p>` : ''}
          <figure class="chart-box"><figcaption>Requests in the window</figcaption>
            ${chart(`ex|count|${key}`, { unit: 'count', t, label: 'Requests per window over time',
              series: results.map((x, i) => ({ label: name(x), values: x.count, stroke: color(i) })) })}</figure>
          <figure class="chart-box"><figcaption>Error rate</figcaption>
            ${chart(`ex|err|${key}`, { unit: 'ratio', t, label: 'Error rate over time',
              series: results.map((x, i) => ({ label: name(x), values: x.error_rate, stroke: color(i) })) })}</figure>
          <figure class="chart-box wide"><figcaption>Latency P50 (dotted), P95 (solid), P99 (dashed)</figcaption>
            ${chart(`ex|lat|${key}`, { unit: 'ms', t, label: 'Latency quantiles P50, P95 and P99 over time', series: lat })}</figure>
        </div>
        <p class="chart-note">Latest: ${latest.length ? latest.join('; ') : 'no data'}.</p>
        <h2>Now, over the last ${now.window}</h2>
        ${slisTable(now)}`;
    }
    const services = [...new Set((series.series || []).map((s) => s.labels && s.labels.service).filter(Boolean))].sort();
    const keep = { window: p.window, range: p.range, ...(p.by ? { by: p.by } : {}) };
    return html`${body}
      <h2>Series</h2>
      <p>Services: ${services.length ? html`<span class="inline">${services.map((s, i) => html`${i ? ', ' : ''}<a href="${link.explore({ service: s, ...keep })}">${s}</a>`)}</span>` : 'none yet'}</p>
      ${tableWrap(`${series.total ?? 0} live series${series.truncated ? ' (first 100 shown)' : ''}.`,
        ['Kind', 'Name', 'Labels', 'Last seen', 'Explore'],
        html`<tbody>${(series.series || []).map((s) => html`<tr>
          <th scope="row">${s.kind}</th><td>${s.name ?? DASH}</td><td>${labelsEl(s.labels)}</td><td>${timeEl(s.last_seen)}</td>
          <td>${s.kind === 'requests' ? html`<a href="${link.explore({ ...s.labels, ...keep })}">explore<span class="visually-hidden"> ${labelText(s.labels)}</span></a>` : ''}</td></tr>`)}</tbody>`)}`;
  },
};

const notFoundPage = {
  name: 'notfound',
  title: () => 'Not found',
  head: () => html`<h1 tabindex="-1">Page not found</h1>`,
  load: async () => null,
  render: () => html`<p>There is no page at <code>${location.hash}</code>. <a href="#/">Go to the overview</a>.</p>`,
};

// ---------------------------------------------------------------- routing and polling

function parseHash() {
  let h = location.hash.replace(/^#/, '');
  if (!h.startsWith('/')) h = `/${h}`;
  const qi = h.indexOf('?');
  const path = qi < 0 ? h : h.slice(0, qi);
  const params = new URLSearchParams(qi < 0 ? '' : h.slice(qi + 1));
  let segs;
  try { segs = path.split('/').filter(Boolean).map(decodeURIComponent); } catch { segs = ['?']; }
  return { segs, params };
}
function pageFor(r) {
  const [a, b, ...rest] = r.segs;
  if (rest.length) return notFoundPage;
  if (!a) return overviewPage;
  const table = {
    rules: [overviewPage, rulePage], incidents: [incidentsPage, incidentPage],
    rollouts: [rolloutsPage, rolloutPage], slos: [slosPage, sloPage], explore: [explorePage, null],
  };
  const p = table[a];
  return p ? (b == null ? p[0] : p[1] || notFoundPage) : notFoundPage;
}

const main = document.getElementById('main');
const banner = document.getElementById('banner');
const updated = document.getElementById('updated');
let current = null;
let generation = 0;
let timer = null;

function setError(e) {
  const where = e.path ? ` (${API}${e.path.split('?')[0]})` : '';
  banner.textContent = `Could not refresh${where}: ${e.message}. Showing the last data; retrying every ${POLL_MS / 1000} s.`;
  banner.hidden = false;
}
function clearError() {
  if (!banner.hidden) { banner.hidden = true; banner.textContent = ''; }
}

function navigate(moveFocus) {
  generation++;
  clearTimeout(timer);
  delete document.body.dataset.loaded;
  destroyCharts();
  const r = parseHash();
  const page = pageFor(r);
  current = { page, r, gen: generation, first: true, state: {} };
  document.title = `${page.title(r)} · Rollguard`;
  for (const a of document.querySelectorAll('nav a[data-nav]')) {
    const active = a.dataset.nav === (page === notFoundPage ? '' : page === overviewPage || page === rulePage ? 'overview' : r.segs[0]);
    if (active) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  main.innerHTML = `${page.head(r)}<div id="view"><p class="muted">Loading…</p></div>`;
  if (page.mounted) page.mounted(main);
  if (moveFocus) main.querySelector('h1').focus({ preventScroll: false });
  tick(current);
}

async function tick(c) {
  if (c.gen !== generation || c.busy) return;
  if (document.hidden && !c.first) { schedule(c); return; }
  c.busy = true;
  clearTimeout(timer);
  try { await refresh(c); } finally { c.busy = false; }
  schedule(c);
}
async function refresh(c) {
  const view = document.getElementById('view');
  try {
    let markup;
    try {
      const data = await c.page.load(c.r, c.state);
      if (c.gen !== generation) return;
      markup = c.page.render(data, c.r, c.state);
    } catch (e) {
      if (!(e instanceof NotFound)) throw e;
      if (c.gen !== generation) return;
      markup = html`<p class="panel warn">${e.message} <a href="${c.r.segs[0] === 'rules' ? '#/' : `#/${c.r.segs[0]}`}">Back to the list</a>.</p>`;
    }
    patch(view, markup);
    syncCharts(view);
    clearError();
    updated.textContent = hms(new Date());
    if (c.first) { c.first = false; document.body.dataset.loaded = c.page.name; }
  } catch (e) {
    if (c.gen !== generation) return;
    chartSpecs.clear();
    setError(e instanceof HttpError ? e : { message: `${e.name}: ${e.message}` });
  }
}
function schedule(c) {
  if (c.gen === generation) timer = setTimeout(() => tick(c), POLL_MS);
}

document.addEventListener('visibilitychange', () => {
  if (!document.hidden && current) { clearTimeout(timer); tick(current); }
});
window.addEventListener('hashchange', () => navigate(true));
navigate(false);
