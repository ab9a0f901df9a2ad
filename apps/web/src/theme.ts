import { createTheme, type CSSVariablesResolver } from '@mantine/core';

// Contrast (WCAG AA, 4.5:1 for text): Mantine's defaults put dimmed text (gray.6) at 3.3:1 on
// white, white on the primary blue.6 at 3.6:1, and the light variant's text (shade 9 on shade 1)
// at 3.6–4.3:1 for orange, green and teal. The primary shade is one darker, filled colours that
// are too light for white text get black text (autoContrast below a luminance of 0.2: orange.8,
// green.8), and dimmed and light-variant text are darkened to at least 4.5:1 on the backgrounds
// they sit on (white, gray.0, blue.1 for the active navigation). A field's error text (and the
// text of an invalid input) is red.6 by default, 3.3:1; red.9 is 5.6:1.
export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: { light: 8, dark: 8 },
  autoContrast: true,
  luminanceThreshold: 0.2,
  defaultRadius: 'md',
  fontFamily: 'Inter, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  headings: { fontWeight: '650' },
  components: {
    Card: { defaultProps: { radius: 'md' } },
    // Sentence case reads faster in dense tables than Mantine's default capitals.
    Badge: { defaultProps: { tt: 'none' }, styles: { root: { flexShrink: 0, overflow: 'visible' }, label: { overflow: 'visible' } } },
    Table: { defaultProps: { striped: false } },
    // Toasts come from many places; each close button needs a name for screen readers.
    // Its description is gray.6 by default, not the dimmed colour.
    Notification: {
      defaultProps: { closeButtonProps: { 'aria-label': 'Dismiss notification' } },
      styles: { description: { color: 'var(--mantine-color-dimmed)' } },
    },
  },
});

/** Shade 9 of these is under 4.5:1 on its own shade 1; darker text for the light variant (bg shade 1). */
const LIGHT_VARIANT_TEXT: Record<string, string> = {
  green: '#237032',
  orange: '#a93d0b',
  teal: '#077052',
  yellow: '#7d5a00',
  red: '#b32525',
};

export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': '#5c636a',
    '--mantine-color-error': 'var(--mantine-color-red-9)',
    ...Object.fromEntries(Object.entries(LIGHT_VARIANT_TEXT).map(([name, hex]) => [`--mantine-color-${name}-light-color`, hex])),
  },
  dark: {},
});
