/**
 * @module tools/sim/report/markdown — pure: the `ferry sim` report as Markdown: the scenario and its
 * setup, the policies side by side, ratios against the first policy, the numbers of the report
 * this one replaced beside its own, the derived numbers, the targets and whether each was met,
 * published references next to ours, the cost model's calibration, the notes, and how long
 * each run took.
 */
import { markdownTable, markdownText } from '../../report-kit/markdown-table.ts';
import { NO_VALUE, ratio } from '../../report-kit/format.ts';
import { columnHeader, shownColumns } from './columns.ts';
import { fixed, metricOf, plain, relativeError, setupLine } from './format.ts';
import { comparedMetrics } from './previous.ts';
import type { SimReport } from './types.ts';

/** The whole report, ending in a newline. */
export function simMarkdown(report: SimReport): string {
  const m = report.machine;
  const lines = [
    `# ferry sim: ${markdownText(report.scenario)}`,
    '',
    ...(report.description ? [markdownText(report.description), ''] : []),
    `Run ${report.startedAt} on ${m.cpus} × ${markdownText(m.cpuModel)}, Node ${markdownText(m.node)}.`,
    '',
    `Setup: ${markdownText(setupLine(report))}.`,
    '',
    ...policiesSection(report),
    ...ratiosSection(report),
    ...previousSection(report),
    ...derivedSection(report),
    ...targetsSection(report),
    ...referencesSection(report),
    ...calibrationSection(report),
    ...notesSection(report),
    ...wallSection(report),
  ];
  return lines.join('\n').trimEnd() + '\n';
}

function policiesSection(report: SimReport): string[] {
  const columns = shownColumns(report.runs);
  const body = report.runs.map((r) => [r.policy, ...columns.map((c) => c.cell(r.metrics))]);
  const described = report.runs.filter((r) => r.description).map((r) => `- **${markdownText(r.policy)}**: ${markdownText(r.description)}`);
  return ['## Policies', '', ...markdownTable(['policy', ...columns.map(columnHeader)], body), ...(described.length ? [...described, ''] : [])];
}

function ratiosSection(report: SimReport): string[] {
  const [base] = report.runs;
  if (!base || report.runs.length < 2) return [];
  const columns = shownColumns(report.runs).filter((c) => c.ratio);
  const body = report.runs.map((r) => [r.policy, ...columns.map((c) => ratio((c.ratio?.(r.metrics) ?? NaN) / (c.ratio?.(base.metrics) ?? NaN)))]);
  return [`## Against ${base.policy}`, '', ...markdownTable(['policy', ...columns.map((c) => `${c.name} ÷ ${base.policy}`)], body)];
}

function previousSection(report: SimReport): string[] {
  const { previous } = report;
  if (!previous) return [];
  const metrics = comparedMetrics(report.runs);
  const body = metrics.map((m) => [m.label, ...report.runs.flatMap((r) => [m.format(previous.perPolicy[r.policy]?.[m.key]), m.format(metricOf(report, r, m.key))])]);
  const header = ['metric', ...report.runs.flatMap((r) => [`${r.policy}: previous`, `${r.policy}: now`])];
  const now = report.setup.migrationCalibration;
  const pricedBy = previous.migrationCalibration ? `migrations priced from ${previous.migrationCalibration}` : 'its report does not name what its migrations were priced from';
  return [
    '## Against the previous run', '',
    markdownText(`The report this one replaced: run ${previous.startedAt}, ${pricedBy}${now ? `; now ${report.startedAt}, priced from ${now}` : ''}.`), '',
    ...markdownTable(header, body, `l${'r'.repeat(report.runs.length * 2)}`),
  ];
}

function derivedSection(report: SimReport): string[] {
  const keys = [...new Set(Object.values(report.derived).flatMap((d) => Object.keys(d)))];
  if (keys.length === 0) return [];
  const body = Object.entries(report.derived).map(([policy, d]) => [policy, ...keys.map((k) => plain(d[k]))]);
  return ['## Derived', '', ...markdownTable(['policy', ...keys], body)];
}

function targetsSection(report: SimReport): string[] {
  if (report.targets.length === 0) return [];
  const body = report.targets.map((t) => [t.policy, t.metric, `${t.op === '<=' ? '≤' : '≥'} ${plain(t.value)}`, plain(t.actual), t.met ? '✓' : '✗', t.source]);
  const missed = report.targets.filter((t) => !t.met).length;
  return ['## Targets', '', `${report.targets.length - missed} of ${report.targets.length} met.`, '', ...markdownTable(['policy', 'metric', 'target', 'actual', 'met', 'source'], body, 'llrrcl')];
}

function referencesSection(report: SimReport): string[] {
  if (report.references.length === 0) return [];
  const body = report.references.flatMap((ref) => Object.entries(ref.values).map(([metric, value]) => [
    ref.name, metric, plain(value), ...report.runs.map((r) => plain(metricOf(report, r, metric))), ref.source,
  ]));
  const header = ['reference', 'metric', 'published', ...report.runs.map((r) => `ours: ${r.policy}`), 'source'];
  return ['## Published references', '', 'Their numbers, not computed here, beside ours for the same metric.', '', ...markdownTable(header, body, `llr${'r'.repeat(report.runs.length)}l`)];
}

function calibrationSection(report: SimReport): string[] {
  if (report.calibration.length === 0) return [];
  const body = report.calibration.map((c) => [
    c.strategy, c.case,
    fixed(c.measuredTotalS, 2), fixed(c.predictedTotalS, 2), relativeError(c.measuredTotalS, c.predictedTotalS),
    fixed(c.measuredDowntimeS, 2), fixed(c.predictedDowntimeS, 2), relativeError(c.measuredDowntimeS, c.predictedDowntimeS),
  ]);
  const header = ['strategy', 'case', 'measured total s', 'predicted total s', 'error', 'measured downtime s', 'predicted downtime s', 'error'];
  return ['## Migration cost model calibration', '', ...markdownTable(header, body, 'llrrrrrr')];
}

function notesSection(report: SimReport): string[] {
  return report.notes.length ? ['## Notes', '', ...report.notes.map((n) => `- ${markdownText(n)}`), ''] : [];
}

function wallSection(report: SimReport): string[] {
  const body = report.runs.map((r) => [r.policy, fixed(r.wallS, 2), fixed(r.metrics.simulatedHours, 2), r.wallS > 0 ? `${Math.round((r.metrics.simulatedHours * 3600) / r.wallS)}×` : NO_VALUE]);
  return ['## Wall time', '', ...markdownTable(['policy', 'wall s', 'simulated h', 'faster than real time'], body)];
}

