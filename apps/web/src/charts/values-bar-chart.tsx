import '@mantine/charts/styles.css';
import { BarChart } from '@mantine/charts';
import type { BarChartFigureProps } from './bar-chart-figure';

export type ValuesBarChartProps = Omit<BarChartFigureProps, 'label' | 'minWidth'>;

/** Its own chunk with recharts: see BarChartFigure. */
export default function ValuesBarChart({ data, dataKey, series, valueFormatter, xAxisLabel, yAxisLabel, h, withValueLabels, xTickFormatter }: ValuesBarChartProps) {
  return (
    <BarChart
      h={h}
      data={data}
      dataKey={dataKey}
      series={series}
      valueFormatter={valueFormatter}
      xAxisLabel={xAxisLabel}
      yAxisLabel={yAxisLabel}
      withLegend={series.length > 1}
      withBarValueLabel={withValueLabels}
      tickLine="xy"
      gridAxis="y"
      // The figure is one image to assistive technology, which reads the values from its table instead.
      accessibilityLayer={false}
      xAxisProps={xTickFormatter ? { tickFormatter: xTickFormatter } : undefined}
      yAxisProps={{ width: 72 }}
    />
  );
}
