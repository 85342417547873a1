// Chart data a report carries in `data.charts` (durable-objects/agents/reporting.ts writes it, the web app's
// report page and chat answers draw it). Types only: shared by the Worker and the web app.

/** A bar chart of one series (engine/agent/answer.ts `ChartData`: the answer's own chart). */
export interface BarSeriesChart {
  kind: 'bar';
  title: string;
  unit: string;
  series: { label: string; value: number }[];
}

export interface SavingsWaterfall {
  unit: 'USD/month';
  /** Each lever in the order the optimizer combines them: its own saving, and what it adds on what the levers before it left. */
  steps: { label: string; where: string; saving_usd: number; added_usd: number }[];
  /** The plain sum of the levers' own savings (what double counting would claim). */
  naive_sum_usd: number;
  total_usd: number;
}

export interface SpendOverTime {
  unit: 'USD';
  bucket: 'hour' | 'day';
  models: string[];
  /** t = bucket start (epoch ms); values[i] = spend of models[i] in that bucket. */
  points: { t: number; values: number[] }[];
  /** True when a feature ran on several models: its hourly spend is split by its model mix over the window. */
  allocated: boolean;
}

export interface LatencyByModel {
  label: string;
  /** ok calls with a latency. */
  calls: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface ReportCharts {
  answer?: BarSeriesChart | null;
  spend_by_model?: { label: string; value: number }[];
  savings_by_tool?: { label: string; value: number }[];
  savings_waterfall?: SavingsWaterfall | null;
  spend_over_time_by_model?: SpendOverTime | null;
  latency_by_model?: LatencyByModel[];
}
