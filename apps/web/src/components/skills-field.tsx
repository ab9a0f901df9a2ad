import { BACK_OFFICE, CATEGORY_LABELS, FRONT_OFFICE, type Category } from '@handoff/contracts';
import { Checkbox, SimpleGrid, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** Optional value and onChange, so `form.getInputProps('skills')` spreads onto it. */
interface SkillsFieldProps {
  value?: Category[];
  onChange?: (value: Category[]) => void;
  description?: string;
  error?: ReactNode;
  required?: boolean;
}

/**
 * Skills as a labelled group of checkboxes: every category is visible at once
 * (there are only ten), and each is a plain checkbox for keyboards, screen
 * readers and browser tests alike.
 */
export function SkillsField({ value, onChange, description, error, required }: SkillsFieldProps) {
  const column = (title: string, categories: readonly Category[]) => (
    <Stack gap={8}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {title}
      </Text>
      {categories.map((c) => (
        <Checkbox key={c} value={c} label={CATEGORY_LABELS[c]} />
      ))}
    </Stack>
  );
  return (
    <Checkbox.Group label="Skills" description={description} error={error} required={required} value={value ?? []} onChange={(v) => onChange?.(v as Category[])}>
      <SimpleGrid cols={{ base: 1, xs: 2 }} mt="xs" spacing="sm">
        {column('Front office', FRONT_OFFICE)}
        {column('Back office', BACK_OFFICE)}
      </SimpleGrid>
    </Checkbox.Group>
  );
}
