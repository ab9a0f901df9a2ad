import { useElementSize, useMediaQuery } from '@mantine/hooks';

/**
 * Whether a table that needs `minWidth` px fits the box `ref` is put on: measured
 * once that box is laid out, guessed from the viewport before (so a phone never
 * flashes the table). Lists use it to fall back to stacked rows instead of a
 * sideways-scrolling table.
 */
export function useFitsWidth<T extends HTMLElement = HTMLDivElement>(minWidth: number) {
  const { ref, width } = useElementSize<T>();
  const narrowViewport = useMediaQuery(`(max-width: ${minWidth - 0.02}px)`, false, { getInitialValueInEffect: false });
  return { ref, fits: width > 0 ? width >= minWidth : !narrowViewport };
}
