// Loaded on demand (React.lazy from the Costs page): recharts and its d3 parts stay out of the first bundle.
import { Bar, BarChart, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { BurnPoint, StackedSeries } from './series';

// Ant Design's categorical palette, so the charts read as part of the same UI.
const PALETTE = ['#1677ff', '#52c41a', '#faad14', '#722ed1', '#eb2f96', '#13c2c2', '#fa541c', '#2f54eb', '#8c8c8c'];
const HEIGHT = 280;

/** Enough digits that small ranges (a few cents, minutes of a GPU) do not label every tick the same. */
const digits = (value: number) => {
  const abs = Math.abs(value);
  if (abs === 0 || abs >= 100) return 0;
  if (abs >= 1) return 2;
  return Math.min(6, 1 - Math.floor(Math.log10(abs)));
};
const usd = (value: unknown) => `$${Number(value).toFixed(Math.max(2, digits(Number(value))))}`;
const hours = (value: unknown) => `${Number(value).toFixed(digits(Number(value)))} h`;

export interface StackedBarsProps {
  series: StackedSeries;
  unit: 'usd' | 'hours';
  label: string;
}

/** A bar per time bucket, stacked by series (deployment, project or GPU type). */
export function StackedBars({ series, unit, label }: StackedBarsProps) {
  const format = unit === 'usd' ? usd : hours;
  return (
    <div role="img" aria-label={label} data-chart={label} data-series={series.keys.join(',')}>
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <BarChart data={series.rows} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="period" tick={{ fontSize: 12 }} />
          <YAxis tickFormatter={format} tick={{ fontSize: 12 }} width={72} />
          <Tooltip formatter={(value) => format(value)} />
          <Legend />
          {series.keys.map((key, i) => (
            <Bar key={key} dataKey={key} stackId="stack" fill={PALETTE[i % PALETTE.length]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Cumulative spend this month, the projection to month end, and the budget as a flat line. */
export function BurnChart({ points, label }: { points: BurnPoint[]; label: string }) {
  return (
    <div role="img" aria-label={label} data-chart={label}>
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <ComposedChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="day" tickFormatter={(day: string) => day.slice(8)} tick={{ fontSize: 12 }} />
          <YAxis tickFormatter={usd} tick={{ fontSize: 12 }} width={72} />
          <Tooltip formatter={(value) => usd(value)} />
          <Legend />
          <Line name="spent" dataKey="spent" stroke="#1677ff" strokeWidth={2} dot={false} isAnimationActive={false} />
          <Line
            name="projected"
            dataKey="projected"
            stroke="#faad14"
            strokeDasharray="6 4"
            strokeWidth={2}
            dot={false}
            isAnimationActive={false}
          />
          <Line name="budget" dataKey="budget" stroke="#ff4d4f" strokeWidth={1} dot={false} isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
