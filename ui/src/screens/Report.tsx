// The owner's report: a range of days (with presets), a breakdown (per operator first, the one
// owners ask for), a table of counts and amounts per outcome with cost and margin, a bar chart of
// what was topped up each day, and the same report as CSV. Days show in the Buddhist era in Thai.
// The same screen shows this machine's ledger (`source="register"`) or every register through
// the fleet hub (`source="fleet"`): the lines are computed by the same rule in both places.
import { useEffect, useState } from 'preact/hooks';
import { addDays, bangkokDay, formatDayRange, formatDayShort, formatDay, monthStart } from '../format/dates';
import { formatSatang } from '../format/money';
import { dimensionName, methodName, networkName, providerName, t, tf, type Language, type WordKey } from '../i18n';
import {
  fleetReport,
  isAppError,
  operators as fetchOperators,
  report as fetchReport,
  saveFleetReportCsv,
  saveReportCsv,
  type AppError,
  type DayTotals,
  type Network,
  type OutcomeTotals,
  type PaymentMethod,
  type ReportDimension,
  type ReportRow,
  type ReportView,
} from '../platform';
import { ErrorLine } from '../parts/ErrorLine';

const DIMENSIONS: readonly ReportDimension[] = ['operator', 'network', 'provider', 'method', 'register'];

type Preset = 'today' | 'yesterday' | 'week' | 'month';

function presetRange(preset: Preset, today: string): [string, string] {
  switch (preset) {
    case 'today':
      return [today, today];
    case 'yesterday':
      return [addDays(today, -1), addDays(today, -1)];
    case 'week':
      return [addDays(today, -6), today];
    case 'month':
      return [monthStart(today), today];
  }
}

const PRESET_WORDS: Record<Preset, WordKey> = {
  today: 'presetToday',
  yesterday: 'presetYesterday',
  week: 'preset7',
  month: 'presetMonth',
};

/** The outcome columns, in the order a shop reads them. */
const OUTCOMES: { key: keyof ReportRow; word: WordKey; countOnly?: boolean }[] = [
  { key: 'sales', word: 'colSales' },
  { key: 'received', word: 'colReceived' },
  { key: 'completed', word: 'colCompleted' },
  { key: 'refunded', word: 'colRefunded' },
  { key: 'refund_due', word: 'colRefundDue' },
  { key: 'needs_attention', word: 'colUnresolved' },
  { key: 'in_progress', word: 'colInProgress' },
  { key: 'unpaid', word: 'colUnpaid', countOnly: true },
];

/** Where the report's lines come from. */
export type ReportSource = 'register' | 'fleet';

const FETCH = { register: fetchReport, fleet: fleetReport } as const;
const SAVE_CSV = { register: saveReportCsv, fleet: saveFleetReportCsv } as const;

export function Report({ language, source = 'register' }: { language: Language; source?: ReportSource }) {
  const today = bangkokDay(Date.now());
  const [from, setFrom] = useState(today);
  const [to, setTo] = useState(today);
  const [by, setBy] = useState<ReportDimension>('operator');
  const [view, setView] = useState<ReportView | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [names, setNames] = useState<Record<string, string>>({});

  useEffect(() => {
    if (source === 'fleet') return; // the hub's report names its own keys (view.labels)
    fetchOperators().then(
      (list) => setNames(Object.fromEntries(list.map((operator) => [operator.id, operator.name]))),
      () => undefined, // names are a nicety: ids still identify the rows
    );
  }, []);

  async function load(nextFrom = from, nextTo = to, nextBy = by) {
    setBusy(true);
    setError(null);
    try {
      setView(await FETCH[source]({ from: nextFrom, to: nextTo, by: nextBy }));
    } catch (caught) {
      setView(null);
      setError(isAppError(caught) ? caught : { code: 'internal', message: String(caught) });
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    void load();
  }, []);

  function preset(which: Preset) {
    const [start, end] = presetRange(which, today);
    setFrom(start);
    setTo(end);
    void load(start, end, by);
  }

  function dimension(next: ReportDimension) {
    setBy(next);
    void load(from, to, next);
  }

  async function saveCsv() {
    setError(null);
    setSaved(null);
    try {
      setSaved(await SAVE_CSV[source]({ from, to, by }));
    } catch (caught) {
      setError(isAppError(caught) ? caught : { code: 'internal', message: String(caught) });
    }
  }

  function keyLabel(key: string): string {
    if (key === '') return t(language, 'none');
    const label = view?.labels[key] ?? names[key];
    switch (view?.request.by ?? by) {
      case 'operator':
        return label ? `${label} (${key})` : key;
      case 'network':
        return networkName(key as Network) ?? key;
      case 'provider':
        return providerName(key);
      case 'method':
        return methodName(language, key as PaymentMethod) ?? key;
      case 'register':
        return label ? `${label} (${key})` : key;
    }
  }

  return (
    <section class="report" data-testid="report" data-source={source}>
      <div class="card report-controls">
        <label class="field inline">
          <span class="field-label">{t(language, 'from')}</span>
          <input type="date" data-testid="report-from" value={from} onChange={(event) => setFrom(event.currentTarget.value)} />
          <small class="muted date-echo" data-testid="report-from-text">
            {formatDay(from, language)}
          </small>
        </label>
        <label class="field inline">
          <span class="field-label">{t(language, 'to')}</span>
          <input type="date" data-testid="report-to" value={to} onChange={(event) => setTo(event.currentTarget.value)} />
          <small class="muted date-echo" data-testid="report-to-text">
            {formatDay(to, language)}
          </small>
        </label>
        <button type="button" class="primary" data-testid="report-show" disabled={busy} onClick={() => load()}>
          {t(language, 'show')}
        </button>
        <div class="button-row presets">
          {(Object.keys(PRESET_WORDS) as Preset[]).map((which) => (
            <button type="button" key={which} class="secondary small" data-testid={`preset-${which}`} onClick={() => preset(which)}>
              {t(language, PRESET_WORDS[which])}
            </button>
          ))}
        </div>
        <button type="button" class="secondary" data-testid="report-csv" onClick={saveCsv}>
          ⬇ {t(language, 'exportCsv')}
        </button>
      </div>

      <div class="tabs" role="tablist">
        {DIMENSIONS.map((dimensionKey) => (
          <button
            type="button"
            role="tab"
            key={dimensionKey}
            class={`tab${dimensionKey === by ? ' is-active' : ''}`}
            aria-selected={dimensionKey === by}
            data-testid={`report-by-${dimensionKey}`}
            onClick={() => dimension(dimensionKey)}
          >
            {dimensionName(language, dimensionKey)}
          </button>
        ))}
      </div>

      {saved && (
        <p class="ok-text" data-testid="csv-saved">
          {tf(language, 'csvSaved', { path: saved })}
        </p>
      )}
      <ErrorLine language={language} error={error} testId="report-error" />

      {view && (
        <>
          <h2 data-testid="report-range">{formatDayRange(view.request.from, view.request.to, language)}</h2>
          {view.rows.length === 0 ? (
            <p class="card muted" data-testid="report-empty">
              {t(language, 'reportEmpty')}
            </p>
          ) : (
            <div class="card table-wrap">
              <table class="report-table" data-testid="report-table">
                <thead>
                  <tr>
                    <th>{dimensionName(language, view.request.by)}</th>
                    {OUTCOMES.map((column) => (
                      <th key={column.key}>{t(language, column.word)}</th>
                    ))}
                    <th>{t(language, 'colCost')}</th>
                    <th>{t(language, 'colMargin')}</th>
                  </tr>
                </thead>
                <tbody>
                  {view.rows.map((row) => (
                    <ReportLine key={row.key} row={row} label={keyLabel(row.key)} testId="report-row" />
                  ))}
                </tbody>
                <tfoot>
                  <ReportLine row={view.total} label={t(language, 'total')} testId="report-total" />
                </tfoot>
              </table>
            </div>
          )}
          <DayChart language={language} days={view.days} />
        </>
      )}
    </section>
  );
}

function Cell({ totals, countOnly = false, name }: { totals: OutcomeTotals; countOnly?: boolean; name: string }) {
  return (
    <td data-col={name} data-count={totals.count} data-satang={totals.satang}>
      <span class="cell-count">{totals.count}</span>
      {!countOnly && <span class="cell-amount">{formatSatang(totals.satang)}</span>}
    </td>
  );
}

function ReportLine({ row, label, testId }: { row: ReportRow; label: string; testId: string }) {
  return (
    <tr data-testid={testId} data-key={row.key}>
      <th scope="row">{label}</th>
      {OUTCOMES.map((column) => (
        <Cell key={column.key} name={column.key} totals={row[column.key] as OutcomeTotals} countOnly={column.countOnly} />
      ))}
      <td data-col="cost" data-satang={row.cost}>
        {formatSatang(row.cost)}
      </td>
      <td data-col="margin" data-satang={row.margin} class={row.margin < 0 ? 'negative' : ''}>
        {formatSatang(row.margin)}
      </td>
    </tr>
  );
}

/** Topped-up baht per day, as bars drawn by hand in SVG (no chart library for one chart). */
function DayChart({ language, days }: { language: Language; days: DayTotals[] }) {
  if (days.length === 0) return null;
  const width = 900;
  const height = 180;
  const top = 24;
  const bottom = 28;
  const slot = Math.min(120, Math.floor(width / days.length));
  const bar = Math.max(4, Math.floor((slot * 3) / 5));
  // A label under every day would overlap on a month: every nth day instead.
  const labelEvery = Math.ceil((days.length * 64) / width);
  const showValues = days.length <= 14;
  const max = Math.max(...days.map((day) => day.totals.completed.satang), 1);
  // Bar heights are pixels, not money: scaling them is the one division here.
  const barHeight = (satang: number) => Math.round((satang * height) / max);
  return (
    <section class="card chart" data-testid="day-chart">
      <h3>{t(language, 'chartTitle')}</h3>
      <svg viewBox={`0 0 ${width} ${height + top + bottom}`} width="100%" role="img" aria-label={t(language, 'chartTitle')}>
        <line x1="0" x2={width} y1={top + height} y2={top + height} class="chart-axis" />
        {days.map((day, index) => {
          const h = barHeight(day.totals.completed.satang);
          const middle = index * slot + slot / 2;
          return (
            <g key={day.day} data-testid="chart-bar" data-day={day.day} data-satang={day.totals.completed.satang}>
              <title>
                {formatDay(day.day, language)}: ฿{formatSatang(day.totals.completed.satang)}
              </title>
              <rect x={middle - bar / 2} y={top + height - h} width={bar} height={h} rx="3" class="chart-bar" />
              {showValues && (
                <text x={middle} y={top + height - h - 6} class="chart-value" text-anchor="middle">
                  {formatSatang(day.totals.completed.satang).replace(/\.00$/, '')}
                </text>
              )}
              {index % labelEvery === 0 && (
                <text x={middle} y={top + height + 20} class="chart-label" text-anchor="middle">
                  {formatDayShort(day.day, language)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </section>
  );
}
