import { Skeleton, VisuallyHidden } from '@mantine/core';
import { lazy, Suspense } from 'react';

// recharts weighs more than the rest of a page; it loads with the first chart, never with sign-in.
const ValuesBarChart = lazy(() => import('./values-bar-chart'));

export interface BarChartFigureProps {
  /** The figure's name for assistive technology, and its table's caption. */
  label: string;
  data: Record<string, string | number>[];
  /** The category on the x axis. */
  dataKey: string;
  series: { name: string; label: string; color: string }[];
  valueFormatter: (value: number) => string;
  xAxisLabel: string;
  yAxisLabel: string;
  h: number;
  /** Each bar's value written above it; for a handful of bars. */
  withValueLabels?: boolean;
  /** How the x axis writes a category, when it is shorter than the table's. */
  xTickFormatter?: (value: string) => string;
  /** Below this width the chart scrolls sideways instead of squeezing its bars. */
  minWidth?: number;
}

/**
 * A bar chart with axes and values, lazy-loaded, with the same numbers as a
 * table for screen readers.
 */
export function BarChartFigure(props: BarChartFigureProps) {
  const { label, data, dataKey, series, valueFormatter, xAxisLabel, h, minWidth } = props;
  const chart = (
    <div role="img" aria-label={label} style={minWidth ? { minWidth } : undefined}>
      <Suspense fallback={<Skeleton h={h} aria-hidden />}>
        <ValuesBarChart {...props} />
      </Suspense>
    </div>
  );
  return (
    <figure style={{ margin: 0 }}>
      {minWidth ? (
        <div style={{ overflowX: 'auto' }} tabIndex={0} role="region" aria-label={`${label}, scrolls sideways`}>
          {chart}
        </div>
      ) : (
        chart
      )}
      <VisuallyHidden>
        <table>
          <caption>{label}</caption>
          <thead>
            <tr>
              <th>{xAxisLabel}</th>
              {series.map((s) => (
                <th key={s.name}>{s.label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.map((d) => (
              <tr key={String(d[dataKey])}>
                <td>{d[dataKey]}</td>
                {series.map((s) => (
                  <td key={s.name}>{valueFormatter(Number(d[s.name] ?? 0))}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </VisuallyHidden>
    </figure>
  );
}
