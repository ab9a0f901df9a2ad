import { Anchor, Box, Center, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

export function AuthCard({ title, subtitle, children, footer }: { title: string; subtitle?: ReactNode; children: ReactNode; footer?: ReactNode }) {
  return (
    <Box mih="100vh" bg="var(--mantine-color-gray-0)" py={{ base: 'lg', sm: 64 }} px="md">
      <Center>
        <Stack w="100%" maw={460} gap="lg">
          <Stack gap={4} align="center">
            <Anchor href="/" underline="never">
              <Title order={1} size="h2" c="blue.8">
                Handoff
              </Title>
            </Anchor>
            <Text c="dimmed" size="sm" ta="center">
              Hand off standardized work to on-demand assistants. Pay per task.
            </Text>
          </Stack>
          <Paper withBorder shadow="sm" radius="md" p={{ base: 'lg', sm: 'xl' }} component="main">
            <Title order={2} size="h3" mb={subtitle ? 4 : 'lg'}>
              {title}
            </Title>
            {subtitle && (
              <Text c="dimmed" size="sm" mb="lg">
                {subtitle}
              </Text>
            )}
            {children}
          </Paper>
          {footer && (
            <Text size="sm" ta="center">
              {footer}
            </Text>
          )}
        </Stack>
      </Center>
    </Box>
  );
}
