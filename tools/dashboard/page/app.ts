/// <reference lib="dom" />
// The dashboard page, run in the browser: follows /api/events (hello, steps, live), draws the
// training charts with uPlot, fills the pipeline / actors / stuck-work tables in place, and
// browses rollouts through /api/rollouts. Not a framework and not the server: the DOM is built
// with createElement + textContent only (rollout text is model output), and api.ts is its only
// import from the server side (types).
import uPlot from 'uplot';
import type {
  ActorRow,
  ApiError,
  ConsumerRow,
  DeadLetterRow,
  LiveState,
  RoleRow,
  RolloutDetail,
  RolloutPage,
  RolloutRow,
  ScaleRequest,
  ScaleResponse,
  StateResponse,
  StepPoint,
  StreamRow,
  StuckItem,
} from '../api.ts';

// ---------------------------------------------------------------------------------------------
// DOM and formatting helpers

type Attrs = Record<string, string | number | boolean | null | undefined>;
type Child = Node | string | null | undefined | false;

/** createElement with attributes (`class`, `text`, data-*, ...) and children; strings become text nodes. */
function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = String(v);
    else if (k === 'text') e.textContent = String(v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`page: #${id} is missing from index.html`);
  return e as T;
}

const DASH = '—';
const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function fmtNum(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  if (Number.isInteger(v)) return intFmt.format(v);
  const a = Math.abs(v);
  if (a >= 1000) return intFmt.format(v);
  if (a >= 100) return v.toFixed(1);
  return String(Number(v.toPrecision(digits)));
}

function fmtBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return DASH;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${Math.floor(s % 60)}s`;
  const hr = Math.floor(m / 60);
  if (hr < 48) return `${hr}h ${m % 60}m`;
  return `${Math.floor(hr / 24)}d ${hr % 24}h`;
}

function fmtTime(ts: number): string {
  return new Date(ts).toLocaleTimeString('en-GB', { hour12: false });
}

function setText(e: Element, text: string): void {
  if (e.textContent !== text) e.textContent = text;
}

// ---------------------------------------------------------------------------------------------
// Keyed table rows, updated in place so that inputs, focus and selection survive a refresh

type Cell = string | { text: string; title?: string; class?: string; node?: Node };

/** Make `tr` hold exactly these cells; a cell is rewritten only when its text changes. */
function setCells(tr: HTMLTableRowElement, cells: Cell[], numeric: ReadonlySet<number> = new Set()): void {
  while (tr.cells.length > cells.length) tr.deleteCell(-1);
  cells.forEach((cell, i) => {
    const td = tr.cells[i] ?? tr.insertCell();
    const c = typeof cell === 'string' ? { text: cell } : cell;
    const cls = [numeric.has(i) ? 'num' : '', c.class ?? ''].filter(Boolean).join(' ');
    if (td.className !== cls) td.className = cls;
    if (c.title !== undefined) td.title = c.title;
    else if (td.title) td.removeAttribute('title');
    if (c.node) {
      // Nodes are rebuilt by the caller: compare by their text to avoid needless churn.
      if (td.dataset.text !== c.text || td.firstChild === null) {
        td.replaceChildren(c.node);
        td.dataset.text = c.text;
      }
    } else {
      if (td.dataset.text !== undefined) delete td.dataset.text;
      if (td.childElementCount > 0) td.replaceChildren();
      setText(td, c.text);
    }
  });
}

/** A row's hook attribute `data-<attr>` = value(item); rows are matched by key(item) (default: the value). */
interface RowHook<T> {
  attr: string;
  value: (item: T) => string;
  key?: (item: T) => string;
}

/**
 * Sync a tbody's rows with `items`: one row per key, created by `render(tr, item, true)` and
 * refreshed by `render(tr, item, false)`; rows of gone keys are removed. `empty` is shown as a
 * single row when there are no items.
 */
function syncRows<T>(
  tbody: HTMLTableSectionElement,
  items: readonly T[],
  hook: RowHook<T>,
  render: (tr: HTMLTableRowElement, item: T, created: boolean) => void,
  empty: string,
): void {
  const keyOf = hook.key ?? hook.value;
  const existing = new Map<string, HTMLTableRowElement>();
  for (const tr of Array.from(tbody.rows)) {
    const k = tr.dataset.key;
    if (k === undefined) tr.remove();
    else existing.set(k, tr);
  }
  const keep = new Set<string>();
  let prev: HTMLTableRowElement | null = null;
  for (const item of items) {
    const key = keyOf(item);
    keep.add(key);
    let tr = existing.get(key);
    const created = tr === undefined;
    if (!tr) {
      tr = document.createElement('tr');
      tr.dataset.key = key;
      tr.setAttribute(`data-${hook.attr}`, hook.value(item));
    }
    render(tr, item, created);
    // Move only rows out of place: moving a row would blur a focused input in it.
    const want: ChildNode | null = prev ? prev.nextSibling : tbody.firstChild;
    if (want !== tr) tbody.insertBefore(tr, want);
    prev = tr;
  }
  for (const [k, tr] of existing) if (!keep.has(k)) tr.remove();
  if (items.length === 0) {
    const cols = tbody.parentElement?.querySelector('thead tr')?.children.length ?? 1;
    tbody.append(h('tr', { class: 'empty-row' }, h('td', { colspan: cols, text: empty })));
  }
}

// ---------------------------------------------------------------------------------------------
// Page state

let steps: StepPoint[] = [];
let live: LiveState | null = null;
/** Date.now() when `live` arrived: with live.ts it turns server times into "ago" without trusting our clock. */
let liveAt = 0;

/** The domain of a step: its own, else its stage's (from the stage plan), else null. */
function domainOf(p: StepPoint): 'math' | 'code' | null {
  if (p.domain) return p.domain;
  const stages = live?.stages ?? [];
  const byName = p.stage === null ? undefined : stages.find((s) => s.name === p.stage);
  if (byName) return byName.domain;
  return stages.find((s) => p.step >= s.fromStep && p.step <= s.toStep)?.domain ?? null;
}

/** Merge steps in by step number (a re-sent step replaces the old one), kept sorted. */
function mergeSteps(incoming: readonly StepPoint[]): void {
  if (incoming.length === 0) return;
  const last = steps[steps.length - 1];
  const sortedTail = incoming.every((p, i) => (i === 0 ? !last || p.step > last.step : p.step > incoming[i - 1]!.step));
  if (sortedTail) {
    steps = steps.concat(incoming);
    return;
  }
  const byStep = new Map(steps.map((p) => [p.step, p]));
  for (const p of incoming) byStep.set(p.step, p);
  steps = Array.from(byStep.values()).sort((a, b) => a.step - b.step);
}

// ---------------------------------------------------------------------------------------------
// Charts

/** A metric value, or null when the step lacks it (old runs miss some). */
const metric =
  (name: string) =>
  (p: StepPoint): number | null => {
    const v = p.metrics[name];
    return v === undefined || !Number.isFinite(v) ? null : v;
  };

interface Line {
  label: string;
  color: string;
  get: (p: StepPoint) => number | null;
  /** What the legend shows when the plotted value is derived (stacked areas plot running sums). */
  shown?: (p: StepPoint) => number | null;
  scale?: string;
  dash?: number[];
  fill?: string;
  stepped?: boolean;
  width?: number;
  /** Mark each point: for values that come alone between nulls, which draw no line. */
  dots?: boolean;
}

interface ChartSpec {
  name: string;
  title: string;
  lines: (points: readonly StepPoint[]) => Line[];
  /**
   * The left axis: `unit` spans at least 0..1, `share` too and reads in %, `zero` starts at zero;
   * left out, uPlot fits the data.
   */
  y?: 'unit' | 'share' | 'zero';
  /** A right-hand axis in % for the lines on the `frac` scale (0..1). */
  fracAxis?: boolean;
  /** Format of the legend values. */
  fmt?: (v: number) => string;
}

const DOMAIN_COLORS: Record<string, string> = { math: '#2563eb', code: '#d9480f', unknown: '#6b7280' };

function domainsIn(points: readonly StepPoint[]): string[] {
  const seen = new Set<string>();
  for (const p of points) seen.add(domainOf(p) ?? 'unknown');
  return ['math', 'code', 'unknown'].filter((d) => seen.has(d));
}

/** A metric split by domain: the value on steps of domain `d`, null on the others (the line breaks). */
const ofDomain = (d: string, get: (p: StepPoint) => number | null) => (p: StepPoint) =>
  (domainOf(p) ?? 'unknown') === d ? get(p) : null;

/** The step-time phases (ms metrics), bottom of the stack first after generation+verification. */
const PHASES = [
  { key: 'step/tail_after_last_group_ms', label: 'tail after last group', color: '#d97706', fill: '#f9dc9c' },
  { key: 'step/optimizer_ms', label: 'optimizer', color: '#16a34a', fill: '#aee6bf' },
  { key: 'step/publish_ms', label: 'publish', color: '#9333ea', fill: '#dcc4f8' },
  { key: 'step/checkpoint_ms', label: 'checkpoint', color: '#dc2626', fill: '#f7b4b4' },
] as const;

/** Seconds of each layer of the step-time stack: generation+verification, then the phases. */
function stepLayers(p: StepPoint): number[] | null {
  const total = p.metrics['step/seconds'];
  if (total === undefined || !Number.isFinite(total)) return null;
  const phases = PHASES.map((ph) => (p.metrics[ph.key] ?? 0) / 1000);
  const gen = Math.max(0, total - phases.reduce((a, b) => a + b, 0));
  return [gen, ...phases];
}

/** The running sum of layers 0..i (what the stack draws as the top edge of layer i). */
const stackedTo = (i: number) => (p: StepPoint) => {
  const ls = stepLayers(p);
  return ls === null ? null : ls.slice(0, i + 1).reduce((a, b) => a + b, 0);
};
const layer = (i: number) => (p: StepPoint) => stepLayers(p)?.[i] ?? null;

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const percentTicks = (_u: uPlot, vs: number[]) => vs.map((v) => `${Math.round(v * 100)}%`);

const CHARTS: ChartSpec[] = [
  {
    name: 'reward',
    title: 'Reward',
    y: 'unit',
    lines: (points) =>
      domainsIn(points).flatMap((d) => [
        { label: `${d} reward`, color: DOMAIN_COLORS[d]!, get: ofDomain(d, metric('reward/mean')), width: 2, dots: d === 'unknown' },
        { label: `${d} pass rate`, color: DOMAIN_COLORS[d]!, get: ofDomain(d, metric('reward/pass_rate')), dash: [5, 4], dots: d === 'unknown' },
      ]),
  },
  {
    name: 'length',
    title: 'Response length (tokens)',
    fracAxis: true,
    lines: () => [
      { label: 'mean', color: '#2563eb', get: metric('response/mean_tokens'), width: 2 },
      { label: 'max', color: '#7c3aed', get: metric('response/max_tokens') },
      { label: 'cap', color: '#6b7280', get: metric('response/max_tokens_cap'), dash: [6, 4], stepped: true },
      { label: 'cut by cap', color: '#dc2626', get: metric('response/cut_frac'), scale: 'frac' },
    ],
  },
  { name: 'entropy', title: 'Entropy', lines: () => [{ label: 'entropy', color: '#0f766e', get: metric('learner/entropy'), width: 2 }] },
  { name: 'grad-norm', title: 'Gradient norm', lines: () => [{ label: 'grad norm', color: '#b45309', get: metric('learner/grad_norm'), width: 2 }] },
  {
    name: 'step-time',
    title: 'Step time (s)',
    y: 'zero',
    // Drawn top layer first, each area filled to zero, so later (lower) layers paint over: a stack.
    lines: () => [
      ...PHASES.map((ph, i) => ({ label: ph.label, color: ph.color, fill: ph.fill, get: stackedTo(i + 1), shown: layer(i + 1), width: 0.75 })).reverse(),
      { label: 'generation + verification', color: '#2563eb', fill: '#c9dcfc', get: stackedTo(0), shown: layer(0), width: 0.75 },
      { label: 'total', color: '#111827', get: metric('step/seconds'), width: 1.5 },
    ],
  },
  { name: 'tokens', title: 'Tokens / s', lines: () => [{ label: 'tokens/s', color: '#2563eb', get: metric('step/tokens_per_s'), width: 2 }], fmt: (v) => fmtNum(v) },
  { name: 'lag', title: 'Policy lag (max, versions)', lines: () => [{ label: 'lag', color: '#9333ea', get: metric('learner/policy_lag_max'), width: 1.25 }], y: 'zero' },
  {
    name: 'all-equal',
    title: 'Groups with all-equal rewards',
    y: 'share',
    fmt: pct,
    lines: () => [{ label: 'share', color: '#0891b2', get: metric('reward/all_equal_frac'), width: 2 }],
  },
];

/** The canvas height in CSS px (plot and axes; the legend comes below). */
const CHART_HEIGHT = 190;

class Chart {
  private plot: uPlot | null = null;
  private seriesKey = '';
  private readonly box: HTMLElement;
  /** The steps last drawn: the legend reads values from them. */
  private points: readonly StepPoint[] = [];

  constructor(
    private readonly spec: ChartSpec,
    readonly root: HTMLElement,
  ) {
    this.box = h('div', { class: 'plot' });
    root.append(h('h3', { text: spec.title }), this.box);
    new ResizeObserver(() => this.resize()).observe(this.box);
  }

  update(points: readonly StepPoint[]): void {
    const lines = this.spec.lines(points);
    const x = points.map((p) => p.step);
    const data = [x, ...lines.map((l) => points.map(l.get))] as uPlot.AlignedData;
    const key = lines.map((l) => l.label).join('|');
    if (this.plot === null || key !== this.seriesKey) {
      this.plot?.destroy();
      this.seriesKey = key;
      this.plot = new uPlot(this.options(lines, points), data, this.box);
    } else {
      // Keep a zoomed-in window while new steps arrive; an unzoomed chart follows the data.
      const xs = this.plot.scales.x!;
      const old = this.plot.data[0];
      const zoomed = old.length > 1 && xs.min !== undefined && xs.max !== undefined && (xs.min > old[0]! || xs.max < old[old.length - 1]!);
      if (zoomed) {
        const { min, max } = xs as { min: number; max: number };
        this.plot.setData(data, false);
        this.plot.setScale('x', { min, max });
      } else this.plot.setData(data);
    }
    this.points = points;
    this.root.dataset.points = String(points.length);
  }

  private lastIndex(line: Line): number | null {
    for (let i = this.points.length - 1; i >= 0; i--) if (line.get(this.points[i]!) !== null) return i;
    return null;
  }

  private resize(): void {
    if (this.plot === null) return;
    const width = Math.max(200, Math.floor(this.box.clientWidth));
    if (width !== this.plot.width) this.plot.setSize({ width, height: CHART_HEIGHT });
  }

  private options(lines: Line[], points: readonly StepPoint[]): uPlot.Options {
    this.points = points;
    const fmt = this.spec.fmt ?? ((v: number) => fmtNum(v));
    const value =
      (line: Line) =>
      (_u: uPlot, raw: number | null, _si: number, idx: number | null): string => {
        // Off the chart the legend reads the latest step that has a value.
        const i = idx ?? this.lastIndex(line);
        const p = i === null ? undefined : this.points[i];
        if (p === undefined) return DASH;
        const v = (line.shown ?? line.get)(p);
        if (v === null || v === undefined) return DASH;
        return line.scale === 'frac' ? pct(v) : fmt(v);
      };
    const series: uPlot.Series[] = [
      { label: 'step' },
      ...lines.map(
        (l): uPlot.Series => ({
          label: l.label,
          stroke: l.color,
          width: l.width ?? 1.25,
          dash: l.dash,
          fill: l.fill,
          scale: l.scale ?? 'y',
          spanGaps: false,
          points: l.dots ? { show: true, size: 4, fill: l.color } : { show: false },
          paths: l.stepped ? uPlot.paths.stepped!({ align: 1 }) : undefined,
          value: value(l),
        }),
      ),
    ];
    const axisStyle = { stroke: '#4b5563', grid: { stroke: '#eceef1', width: 1 }, ticks: { stroke: '#d9dce1', width: 1, size: 4 }, font: '11px system-ui, sans-serif' };
    const axes: uPlot.Axis[] = [
      { ...axisStyle, space: 50 },
      { ...axisStyle, size: 48, values: this.spec.y === 'share' ? percentTicks : undefined },
    ];
    const scales: uPlot.Scales = { x: { time: false } };
    const y = this.spec.y;
    if (y === 'unit' || y === 'share') scales.y = { range: (_u, min, max) => [Math.min(0, min), Math.max(1, max)] };
    else if (y === 'zero') scales.y = { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.05 : 1] };
    if (this.spec.fracAxis) {
      scales.frac = { range: [0, 1] };
      axes.push({ ...axisStyle, scale: 'frac', side: 1, size: 40, grid: { show: false }, values: percentTicks });
    }
    return {
      width: Math.max(200, Math.floor(this.box.clientWidth) || 400),
      height: CHART_HEIGHT,
      series,
      axes,
      scales,
      legend: { live: true },
      cursor: { sync: { key: 'ace-steps' }, drag: { x: true, y: false } },
    };
  }
}

const charts: Chart[] = [];

function setupCharts(): void {
  const grid = byId('charts');
  for (const spec of CHARTS) {
    const fig = h('figure', { class: 'chart', 'data-chart': spec.name, 'data-points': 0 });
    grid.append(fig);
    charts.push(new Chart(spec, fig));
  }
}

let chartsQueued = false;
/** Redraw the charts soon, once for a burst of step events (a timer, not a frame: hidden tabs get no frames). */
function updateCharts(): void {
  if (chartsQueued) return;
  chartsQueued = true;
  setTimeout(() => {
    chartsQueued = false;
    for (const c of charts) c.update(steps);
  }, 30);
}

// ---------------------------------------------------------------------------------------------
// Header, connection, timeline

type ConnState = 'connecting' | 'live' | 'stalled' | 'down';

function setConn(state: ConnState): void {
  const conn = byId('conn');
  conn.dataset.state = state;
  const label = { connecting: 'connecting', live: 'connected', stalled: 'no update', down: 'disconnected' }[state];
  setText(byId('conn-text'), label);
  byId('banner').hidden = state !== 'down';
}

function renderHeader(s: LiveState): void {
  setText(byId('run-id'), s.runId ?? DASH);
  const mode = byId('mode');
  setText(mode, s.mode === 'live' ? 'live' : 'finished run');
  mode.dataset.mode = s.mode;
  setText(byId('stage'), s.stage ?? DASH);
  setText(byId('steps'), intFmt.format(s.committedSteps));
  setText(byId('counts'), `${intFmt.format(s.counts.rollouts)} rollouts · ${intFmt.format(s.counts.verdicts)} verdicts · ${intFmt.format(s.counts.groups)} groups`);
  document.title = `ace · ${s.runId ?? 'dashboard'} · step ${s.committedSteps}`;
  tick();
}

/** Once a second: the time since the last step and whether live updates still arrive. */
function tick(): void {
  if (live === null) return;
  const now = live.ts + (Date.now() - liveAt);
  const since = byId('since-step');
  setText(since, live.lastStepAt === null ? DASH : `${fmtMs(Math.max(0, now - live.lastStepAt))} ago`);
  if (live.lastStepAt !== null) since.title = new Date(live.lastStepAt).toLocaleString();
  const conn = byId('conn').dataset.state as ConnState;
  if (conn === 'live' && Date.now() - liveAt > 5000) setConn('stalled');
}

function renderTimeline(s: LiveState): void {
  const section = byId('timeline-section');
  section.hidden = s.stages.length === 0;
  if (s.stages.length === 0) return;
  const box = byId('timeline');
  // Rebuilt only when it changes, so that a tooltip being read stays open.
  const sig = JSON.stringify([s.stages, s.stage, s.committedSteps]);
  if (box.dataset.sig === sig) return;
  box.dataset.sig = sig;
  const bars = s.stages.map((st) => {
    const len = Math.max(1, st.toStep - st.fromStep + 1);
    const done = Math.min(len, Math.max(0, s.committedSteps - st.fromStep));
    const current = st.name === s.stage;
    const bar = h(
      'div',
      {
        class: `stage ${st.domain}${current ? ' current' : ''}${done === len ? ' done' : ''}`,
        'data-stage': st.name,
        title: `${st.name}: ${st.domain}, steps ${st.fromStep}–${st.toStep}, cap ${st.cap} tokens, data ${st.source}\n${done}/${len} steps committed`,
      },
      h('div', { class: 'progress' }),
      h('div', { class: 'label' }, h('b', { text: st.name }), ` ${st.domain}${current ? ' · current' : ''}`),
      h('div', { class: 'label sub', text: `steps ${st.fromStep}–${st.toStep} · cap ${intFmt.format(st.cap)} · ${done}/${len} done` }),
    );
    bar.style.flexGrow = String(len);
    (bar.firstChild as HTMLElement).style.width = `${(100 * done) / len}%`;
    return bar;
  });
  box.replaceChildren(...bars);
}

// ---------------------------------------------------------------------------------------------
// Pipeline: streams, consumers, window, dead letters

const NUM_STREAM = new Set([1, 2, 3, 4]);
const NUM_CONSUMER = new Set([2, 3, 4, 5, 6]);

function renderStreams(s: LiveState): void {
  const streams = byId<HTMLTableElement>('streams-table').tBodies[0]!;
  syncRows(
    streams,
    s.streams,
    { attr: 'stream', value: (r: StreamRow) => r.name },
    (tr, r) => setCells(tr, [r.name, intFmt.format(r.messages), fmtBytes(r.bytes), intFmt.format(r.lastSeq), fmtNum(r.rate, 2)], NUM_STREAM),
    'no streams',
  );
  const consumers = s.streams.flatMap((st) => st.consumers);
  syncRows(
    byId<HTMLTableElement>('consumers-table').tBodies[0]!,
    consumers,
    // Consumer names are unique within a stream only.
    { attr: 'consumer', value: (c: ConsumerRow) => c.name, key: (c) => `${c.stream}/${c.name}` },
    (tr, c) => {
      tr.dataset.stream = c.stream;
      tr.classList.toggle('ephemeral', !c.durable);
      const name = c.durable ? c.name : { text: `${c.name} ephemeral`, node: h('span', {}, c.name, h('span', { class: 'tag', text: 'ephemeral' })) };
      setCells(
        tr,
        [
          c.stream,
          typeof name === 'string' ? name : { ...name, title: 'ephemeral consumer (a reader such as this dashboard or ace replay)' },
          { text: intFmt.format(c.pending), class: c.pending > 0 ? 'warn' : '' },
          intFmt.format(c.ackPending),
          { text: intFmt.format(c.redelivered), class: c.redelivered > 0 ? 'warn' : '' },
          intFmt.format(c.waiting),
          fmtNum(c.ackRate, 2),
        ],
        NUM_CONSUMER,
      );
    },
    'no consumers',
  );

  const win = byId('window');
  const fill = win.querySelector<HTMLElement>('.fill')!;
  if (s.window === null) {
    fill.style.width = '0';
    setText(win.querySelector('.window-text')!, 'no generator window reported');
  } else {
    const share = s.window.max > 0 ? Math.min(1, s.window.inFlight / s.window.max) : 0;
    fill.style.width = `${(share * 100).toFixed(1)}%`;
    win.dataset.level = share >= 0.95 ? 'full' : share >= 0.75 ? 'high' : 'ok';
    setText(win.querySelector('.window-text')!, `${intFmt.format(s.window.inFlight)} / ${intFmt.format(s.window.max)} rollouts in flight (${Math.round(share * 100)}%)`);
  }

  const dead = byId('dead-count');
  setText(dead, intFmt.format(s.deadLetters.count));
  dead.dataset.level = s.deadLetters.count > 0 ? 'bad' : 'ok';
  const list = byId('dead-letters');
  const sig = s.deadLetters.recent.map((d) => `${d.stream}:${d.seq}`).join(',');
  if (list.dataset.sig !== sig || list.childElementCount === 0) {
    list.dataset.sig = sig;
    list.replaceChildren(...(s.deadLetters.recent.length === 0 ? [h('li', { class: 'empty', text: 'none' })] : s.deadLetters.recent.map(deadLetterItem)));
  }
}

function deadLetterItem(d: DeadLetterRow): HTMLLIElement {
  return h(
    'li',
    { 'data-dead-letter': `${d.stream}:${d.seq}` },
    h('div', { class: 'dl-head' }, h('b', { text: `${d.stream} #${d.seq}` }), ` ${d.consumer} · `, h('code', { text: d.subject }), h('span', { class: 'sub', text: fmtTime(d.ts) })),
    h('ul', { class: 'issues' }, ...d.issues.map((i) => h('li', { text: i }))),
  );
}

// ---------------------------------------------------------------------------------------------
// Actors: roles with the scale control, instances

function renderRoles(s: LiveState): void {
  const note = byId('read-only');
  note.hidden = s.readOnly === null;
  setText(note, s.readOnly === null ? '' : `Scaling is off: ${s.readOnly}`);
  syncRows(
    byId<HTMLTableElement>('roles-table').tBodies[0]!,
    s.roles,
    { attr: 'role', value: (r: RoleRow) => r.actor },
    (tr, r, created) => {
      if (created) {
        for (let i = 0; i < 4; i++) tr.insertCell();
        tr.append(scaleCell(r));
      }
      const cells = [r.actor, r.kind, fmtNum(r.desired), String(r.running)];
      cells.forEach((t, i) => setText(tr.cells[i]!, t));
      tr.cells[2]!.className = 'num';
      tr.cells[3]!.className = `num${r.desired !== null && r.running !== r.desired ? ' warn' : ''}`;
      const input = tr.querySelector<HTMLInputElement>('input')!;
      const button = tr.querySelector<HTMLButtonElement>('button')!;
      const off = s.readOnly !== null;
      input.disabled = off;
      button.disabled = off;
      input.title = button.title = off ? s.readOnly! : `instances of ${r.actor}`;
      if (document.activeElement !== input && input.dataset.dirty !== '1') input.value = String(r.desired ?? r.running);
    },
    'no actors',
  );
}

function scaleCell(r: RoleRow): HTMLTableCellElement {
  const input = h('input', { type: 'number', min: 0, step: 1, 'data-scale-input': r.actor, value: String(r.desired ?? r.running), 'aria-label': `instances of ${r.actor}` });
  const button = h('button', { type: 'button', 'data-scale-button': r.actor, text: 'Scale' });
  const result = h('span', { class: 'scale-result', 'data-scale-result': r.actor });
  input.addEventListener('input', () => (input.dataset.dirty = '1'));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') button.click();
  });
  button.addEventListener('click', () => void scale(r.actor, input, button, result));
  return h('td', { class: 'scale' }, input, button, result);
}

async function scale(actor: string, input: HTMLInputElement, button: HTMLButtonElement, result: HTMLElement): Promise<void> {
  const instances = Number(input.value);
  if (input.value.trim() === '' || !Number.isInteger(instances) || instances < 0) {
    showResult(result, 'error', 'a whole number ≥ 0');
    return;
  }
  button.disabled = true;
  showResult(result, 'pending', 'sending…');
  try {
    const body: ScaleRequest = { actor, instances };
    const res = await fetchJson<ScaleResponse>('/api/scale', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    showResult(result, 'ok', `${res.actor}: ${res.from ?? '?'} → ${res.to}`);
    delete input.dataset.dirty;
  } catch (err) {
    showResult(result, 'error', errorText(err));
  } finally {
    button.disabled = live?.readOnly !== null && live?.readOnly !== undefined;
  }
}

function showResult(e: HTMLElement, state: string, text: string): void {
  e.dataset.state = state;
  e.textContent = text;
  e.title = text;
}

/** Heartbeat metrics worth a glance, in this order; others are in the cell's tooltip. */
const KEY_METRICS = [
  'learner/step',
  'generator/rollouts',
  'generator/tokens_per_s',
  'stage/processed',
  'stage/redelivered',
  'normalizer/open_groups',
  'source/published',
  'policy/version',
];

function metricsCell(m: Record<string, number>): Cell {
  const names = Object.keys(m).filter((k) => !k.startsWith('process/'));
  const picked = KEY_METRICS.filter((k) => k in m).slice(0, 2);
  if (picked.length === 0) picked.push(...names.slice(0, 2));
  const text = picked.map((k) => `${k.slice(k.indexOf('/') + 1)} ${fmtNum(m[k])}`).join(' · ');
  const title = names
    .sort()
    .map((k) => `${k} = ${fmtNum(m[k], 6)}`)
    .join('\n');
  return { text: text || DASH, title, class: 'metrics' };
}

const NUM_ACTOR = new Set([2, 4, 5, 6]);

function renderActors(s: LiveState): void {
  const rows = [...s.actors].sort((a, b) => a.actor.localeCompare(b.actor) || a.instance.localeCompare(b.instance));
  syncRows(
    byId<HTMLTableElement>('actors-table').tBodies[0]!,
    rows,
    { attr: 'instance', value: (a: ActorRow) => a.instance },
    (tr, a) => {
      tr.dataset.actor = a.actor;
      tr.classList.toggle('stale', a.stale);
      const stateText = a.stale ? `${a.state} stale` : a.state;
      const state: Cell = {
        text: stateText,
        node: h('span', {}, h('span', { class: `state state-${a.state.toLowerCase()}`, text: a.state }), a.stale ? h('span', { class: 'tag bad', text: 'stale' }) : null),
        title: a.stale ? 'no heartbeat for a while' : undefined,
      };
      setCells(
        tr,
        [
          { text: a.instance, title: `${a.actor} (${a.kind})` },
          state,
          String(a.pid),
          a.host ?? DASH,
          fmtMs(a.ageMs),
          fmtNum(a.rssMb),
          a.cpuPct === null ? DASH : a.cpuPct.toFixed(0),
          metricsCell(a.metrics),
        ],
        NUM_ACTOR,
      );
    },
    'no instances',
  );
}

// ---------------------------------------------------------------------------------------------
// Stuck work

function renderStuck(s: LiveState): void {
  setText(byId('stuck-threshold'), `waiting longer than ${fmtMs(s.stuckAfterMs)}`);
  byId('stuck-empty').hidden = s.stuck.length > 0;
  const table = byId<HTMLTableElement>('stuck-table');
  table.hidden = s.stuck.length === 0;
  const rows = [...s.stuck].sort((a, b) => b.waitedMs - a.waitedMs);
  syncRows(
    table.tBodies[0]!,
    rows,
    { attr: 'stuck', value: (x: StuckItem) => x.id, key: (x) => `${x.kind}:${x.id}` },
    (tr, x) => setCells(tr, [x.kind, { text: x.id, class: 'mono' }, String(x.step), fmtMs(x.waitedMs), x.where], new Set([2, 3])),
    'nothing stuck',
  );
}

// ---------------------------------------------------------------------------------------------
// Live state and the event stream

function applyLive(s: LiveState): void {
  const stagesChanged = JSON.stringify(s.stages) !== JSON.stringify(live?.stages ?? null);
  live = s;
  liveAt = Date.now();
  renderHeader(s);
  renderTimeline(s);
  renderStreams(s);
  renderRoles(s);
  renderActors(s);
  renderStuck(s);
  // Steps without a domain take their stage's: a new stage plan can move them between series.
  if (stagesChanged) updateCharts();
}

let source: EventSource | null = null;

function connect(): void {
  setConn('connecting');
  const es = new EventSource('/api/events');
  source = es;
  es.addEventListener('open', () => setConn('live'));
  es.addEventListener('hello', (e) => {
    const hello = JSON.parse((e as MessageEvent<string>).data) as StateResponse;
    setConn('live');
    steps = [];
    mergeSteps(hello.steps);
    applyLive(hello.live);
    updateCharts();
    if (rollouts.loaded === false) void loadRollouts();
  });
  es.addEventListener('steps', (e) => {
    mergeSteps(JSON.parse((e as MessageEvent<string>).data) as StepPoint[]);
    updateCharts();
    if (rollouts.follow && rollouts.offset === 0) void loadRollouts();
  });
  es.addEventListener('live', (e) => {
    if (byId('conn').dataset.state !== 'live') setConn('live');
    applyLive(JSON.parse((e as MessageEvent<string>).data) as LiveState);
  });
  es.addEventListener('error', () => {
    setConn('down');
    // EventSource retries by itself unless the server refused the stream (then it is CLOSED).
    if (es.readyState === EventSource.CLOSED && source === es) setTimeout(connect, 3000);
  });
}

// ---------------------------------------------------------------------------------------------
// Rollout inspector

const rollouts = {
  offset: 0,
  limit: 50,
  total: 0,
  loaded: false,
  follow: false,
  selected: null as string | null,
  /** Bumped per request: an answer to an older request is dropped. */
  listSeq: 0,
  detailSeq: 0,
  outcomes: new Set<string>(),
};

async function fetchJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    if (res.ok) throw new Error(`${url}: the answer is not JSON`);
  }
  if (!res.ok) {
    const err = body as ApiError | null;
    throw new Error(err && typeof err.error === 'string' ? err.error : `${res.status} ${res.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`);
  }
  return body as T;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function filterForm(): HTMLFormElement {
  return byId<HTMLFormElement>('rollout-filters');
}

function rolloutQuery(): string {
  const form = filterForm();
  const q = new URLSearchParams();
  for (const name of ['step', 'domain', 'outcome', 'reward', 'group']) {
    const field = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement;
    const v = field.value.trim();
    if (v !== '') q.set(name, v);
  }
  q.set('limit', String(rollouts.limit));
  q.set('offset', String(rollouts.offset));
  return q.toString();
}

async function loadRollouts(): Promise<void> {
  const seq = ++rollouts.listSeq;
  rollouts.loaded = true;
  const status = byId('rollouts-status');
  const table = byId<HTMLTableElement>('rollouts-table');
  table.dataset.state = 'loading';
  try {
    const page = await fetchJson<RolloutPage>(`/api/rollouts?${rolloutQuery()}`);
    if (seq !== rollouts.listSeq) return;
    rollouts.total = page.total;
    renderRolloutRows(page.rows);
    const from = page.rows.length === 0 ? 0 : rollouts.offset + 1;
    setText(status, `${intFmt.format(from)}–${intFmt.format(rollouts.offset + page.rows.length)} of ${intFmt.format(page.total)}`);
    status.classList.remove('error');
  } catch (err) {
    if (seq !== rollouts.listSeq) return;
    setText(status, `could not load rollouts: ${errorText(err)}`);
    status.classList.add('error');
  } finally {
    if (seq === rollouts.listSeq) table.dataset.state = 'ready';
    updatePager();
  }
}

function updatePager(): void {
  const form = byId('rollouts');
  form.querySelector<HTMLButtonElement>('[data-action=rollouts-prev]')!.disabled = rollouts.offset === 0;
  form.querySelector<HTMLButtonElement>('[data-action=rollouts-next]')!.disabled = rollouts.offset + rollouts.limit >= rollouts.total;
}

function outcomeClass(outcome: string | null): string {
  if (outcome === null) return 'outcome pending';
  return outcome === 'correct' ? 'outcome good' : 'outcome bad';
}

function renderRolloutRows(rows: RolloutRow[]): void {
  const tbody = byId<HTMLTableElement>('rollouts-table').tBodies[0]!;
  tbody.replaceChildren();
  for (const r of rows) if (r.outcome) rollouts.outcomes.add(r.outcome);
  byId('outcome-kinds').replaceChildren(...[...rollouts.outcomes].sort().map((o) => h('option', { value: o })));
  if (rows.length === 0) {
    tbody.append(h('tr', { class: 'empty-row' }, h('td', { colspan: 9, text: 'no rollouts match' })));
    return;
  }
  for (const r of rows) {
    const group = h('a', { href: '#', class: 'group-link mono', 'data-group': r.groupId, title: `show group ${r.groupId}`, text: shortId(r.groupId) });
    const tr = h(
      'tr',
      { 'data-rollout': r.id, class: r.id === rollouts.selected ? 'selected' : null, title: r.id },
      h('td', { class: 'num', text: String(r.step) }),
      h('td', {}, h('span', { class: `domain ${r.domain}`, text: r.domain })),
      h('td', {}, group),
      h('td', { class: 'num', text: `${r.index} of ${r.groupSize}` }),
      h('td', {}, h('span', { class: outcomeClass(r.outcome), text: r.outcome ?? 'pending' }), r.finished ? null : h('span', { class: 'tag', text: 'unfinished' })),
      h('td', { class: 'num', text: r.reward === null ? DASH : String(r.reward) }),
      h('td', { class: `num ${r.advantage === null ? '' : r.advantage > 0 ? 'pos' : r.advantage < 0 ? 'neg' : ''}`, text: r.advantage === null ? DASH : r.advantage.toFixed(3) }),
      h('td', { class: 'num', text: intFmt.format(r.responseTokens) }),
      h('td', { class: 'num', text: String(r.policyVersion) }),
    );
    tbody.append(tr);
  }
}

/** Ids are long; the table shows their tail (the full id is in the tooltip and the filter). */
function shortId(id: string): string {
  return id.length > 14 ? `…${id.slice(-12)}` : id;
}

function selectRollout(id: string): void {
  rollouts.selected = id;
  for (const tr of Array.from(byId<HTMLTableElement>('rollouts-table').tBodies[0]!.rows)) tr.classList.toggle('selected', tr.dataset.rollout === id);
  void loadDetail(id);
}

async function loadDetail(id: string): Promise<void> {
  const seq = ++rollouts.detailSeq;
  const panel = byId('rollout-detail');
  panel.dataset.state = 'loading';
  panel.setAttribute('aria-busy', 'true');
  try {
    const d = await fetchJson<RolloutDetail>(`/api/rollouts/${encodeURIComponent(id)}`);
    if (seq !== rollouts.detailSeq) return;
    renderDetail(panel, d);
    panel.dataset.state = 'ready';
  } catch (err) {
    if (seq !== rollouts.detailSeq) return;
    panel.replaceChildren(h('p', { class: 'error', text: `could not load rollout ${id}: ${errorText(err)}` }));
    panel.dataset.state = 'error';
  } finally {
    if (seq === rollouts.detailSeq) panel.removeAttribute('aria-busy');
  }
}

function field(label: string, name: string, value: string, cls = ''): HTMLElement {
  return h('div', { class: 'field' }, h('dt', { text: label }), h('dd', { 'data-field': name, class: cls, text: value }));
}

function renderDetail(panel: HTMLElement, d: RolloutDetail): void {
  panel.dataset.rollout = d.id;
  const g = d.group;
  const members = [...g.members].sort((a, b) => a.index - b.index);
  panel.replaceChildren(
    h('div', { class: 'detail-head' }, h('h3', { class: 'mono', text: d.id }), h('span', { class: outcomeClass(d.outcome), 'data-field': 'outcome', text: d.outcome ?? 'pending' })),
    h(
      'dl',
      { class: 'fields' },
      field('step', 'step', String(d.step)),
      field('domain', 'domain', d.domain),
      field('reward', 'reward', d.reward === null ? DASH : String(d.reward)),
      field('advantage', 'advantage', d.advantage === null ? DASH : d.advantage.toFixed(4)),
      field('policy version', 'policy-version', String(d.policyVersion)),
      field('tokens', 'tokens', `${intFmt.format(d.responseTokens)}${d.finished ? '' : ' (unfinished)'}`),
      field('generator', 'generator', d.generator, 'mono'),
      field('generation', 'gen-ms', fmtMs(d.genMs)),
      field('verifier', 'verifier', d.verifier ?? DASH, 'mono'),
      field('verification', 'verify-ms', fmtMs(d.verifyMs)),
      field('rule', 'rule', d.rule ?? DASH, 'mono'),
      field('group', 'group', `${g.id} (#${d.index} of ${d.groupSize})`, 'mono'),
    ),
    h('div', { class: 'reason' }, h('b', { text: 'Reason ' }), h('span', { 'data-field': 'reason', text: d.reason ?? DASH })),
    h('h4', { text: 'Prompt' }),
    h('pre', { 'data-field': 'prompt', class: 'text', text: d.prompt }),
    h('h4', { text: `Response (${intFmt.format(d.responseTokens)} tokens)` }),
    h('pre', { 'data-field': 'response', class: 'text', text: d.response }),
    h('h4', { text: 'Verifier detail' }),
    h('pre', { 'data-field': 'detail', class: 'json', text: d.detail === null ? DASH : JSON.stringify(d.detail, null, 2) }),
    h(
      'h4',
      {},
      'Group ',
      h('span', {
        class: 'sub',
        text: `reward mean ${fmtNum(g.rewardMean)} · std ${fmtNum(g.rewardStd)} · ${g.completion ?? 'not scored'}${g.dropped ? ' · dropped' : ''}`,
      }),
    ),
    h(
      'ol',
      { class: 'members', start: 0 },
      ...members.map((m) =>
        h(
          'li',
          { class: m.id === d.id ? 'current' : null, value: m.index },
          h('a', { href: '#', 'data-member': m.id, title: m.id, text: `#${m.index}` }),
          ' ',
          h('span', { class: outcomeClass(m.outcome), text: m.outcome ?? 'pending' }),
          h('span', { class: 'sub', text: ` reward ${m.reward ?? DASH} · adv ${m.advantage === null ? DASH : m.advantage.toFixed(3)} · ${intFmt.format(m.responseTokens)} tok` }),
        ),
      ),
    ),
  );
}

function setupRollouts(): void {
  const form = filterForm();
  const section = byId('rollouts');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    rollouts.offset = 0;
    void loadRollouts();
  });
  form.querySelector<HTMLInputElement>('[data-action=follow-rollouts]')!.addEventListener('change', (e) => {
    rollouts.follow = (e.target as HTMLInputElement).checked;
  });
  for (const sel of Array.from(form.querySelectorAll('select'))) {
    sel.addEventListener('change', () => {
      rollouts.offset = 0;
      void loadRollouts();
    });
  }
  section.addEventListener('click', (e) => {
    const t = e.target as HTMLElement;
    const action = t.closest<HTMLElement>('[data-action]')?.dataset.action;
    if (action === 'refresh-rollouts') void loadRollouts();
    else if (action === 'clear-rollouts') {
      form.reset();
      rollouts.offset = 0;
      void loadRollouts();
    } else if (action === 'rollouts-prev') {
      rollouts.offset = Math.max(0, rollouts.offset - rollouts.limit);
      void loadRollouts();
    } else if (action === 'rollouts-next') {
      rollouts.offset += rollouts.limit;
      void loadRollouts();
    }
    if (action) return;

    const group = t.closest<HTMLElement>('[data-group]');
    if (group) {
      e.preventDefault();
      (form.elements.namedItem('group') as HTMLInputElement).value = group.dataset.group!;
      rollouts.offset = 0;
      void loadRollouts();
      return;
    }
    const member = t.closest<HTMLElement>('[data-member]');
    if (member) {
      e.preventDefault();
      selectRollout(member.dataset.member!);
      return;
    }
    const row = t.closest<HTMLTableRowElement>('tr[data-rollout]');
    // A click that ends a text selection is not a row click.
    if (row && !window.getSelection()?.toString()) selectRollout(row.dataset.rollout!);
  });
}

// ---------------------------------------------------------------------------------------------

function main(): void {
  setupCharts();
  setupRollouts();
  connect();
  setInterval(tick, 1000);
}

main();
