import { createTheme } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'blue',
  defaultRadius: 'md',
  fontFamily: 'Inter, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  headings: { fontWeight: '650' },
  components: {
    Card: { defaultProps: { radius: 'md' } },
    // Sentence case reads faster in dense tables than Mantine's default capitals.
    Badge: { defaultProps: { tt: 'none' }, styles: { root: { flexShrink: 0, overflow: 'visible' }, label: { overflow: 'visible' } } },
    Table: { defaultProps: { striped: false } },
  },
});
