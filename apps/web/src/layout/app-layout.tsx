import type { Role } from '@handoff/contracts';
import { ActionIcon, AppShell, Badge, Burger, Button, Group, NavLink, Text, Title, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconBell,
  IconBriefcase,
  IconCash,
  IconScale,
  IconChecklist,
  IconGauge,
  IconLayoutList,
  IconLogout,
  IconPigMoney,
  IconPlus,
  IconReceipt,
  IconTemplate,
  IconRepeat,
  IconShieldLock,
  IconTags,
  IconUsers,
  IconStar,
  IconUserStar,
  IconWallet,
  IconWebhook,
  type Icon,
} from '@tabler/icons-react';
import { Suspense, type ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import { useAuth, useUser } from '../auth/auth-context';
import { VerifyEmailBanner } from '../auth/verify-email-banner';
import { Loading } from '../components/query-state';
import { NotificationBell } from '../inbox/notification-bell';
import { AvailabilitySwitch } from './availability-switch';
import { ReconnectingIndicator } from './reconnecting-indicator';

interface NavItem {
  to: string;
  label: string;
  icon: Icon;
  /** Exact match only, so "Tasks" is not highlighted on "New task". */
  end?: boolean;
}

const NAV: Record<Role, NavItem[]> = {
  client: [
    { to: '/client/tasks', label: 'Tasks', icon: IconLayoutList },
    { to: '/client/tasks/new', label: 'New task', icon: IconPlus, end: true },
    { to: '/client/templates', label: 'Templates', icon: IconTemplate },
    { to: '/client/schedules', label: 'Schedules', icon: IconRepeat },
    { to: '/client/statement', label: 'Statement', icon: IconReceipt },
    { to: '/client/integrations', label: 'Integrations', icon: IconWebhook },
    { to: '/client/assistants', label: 'Assistants', icon: IconUserStar },
    { to: '/client/budget', label: 'Budget', icon: IconPigMoney },
  ],
  assistant: [
    { to: '/assistant/board', label: 'Available work', icon: IconBriefcase },
    { to: '/assistant/tasks', label: 'My tasks', icon: IconChecklist },
    { to: '/assistant/earnings', label: 'Earnings', icon: IconWallet },
    { to: '/assistant/scorecard', label: 'Scorecard', icon: IconStar },
  ],
  admin: [
    { to: '/admin/queue', label: 'Queue health', icon: IconGauge },
    { to: '/admin/tasks', label: 'All tasks', icon: IconLayoutList },
    { to: '/admin/people', label: 'People', icon: IconUsers },
    { to: '/admin/rate-card', label: 'Rate card', icon: IconTags },
    { to: '/admin/billing', label: 'Billing', icon: IconCash },
    { to: '/admin/disputes', label: 'Disputes', icon: IconScale },
    { to: '/admin/integrations', label: 'Integrations', icon: IconWebhook },
  ],
};

/** Pages every role has. */
const ACCOUNT_NAV: NavItem[] = [
  { to: '/notifications', label: 'Notifications', icon: IconBell },
  { to: '/security', label: 'Security', icon: IconShieldLock },
];

const ROLE_LABELS: Record<Role, string> = { client: 'Client', assistant: 'Assistant', admin: 'Admin' };
const ROLE_COLORS: Record<Role, string> = { client: 'blue', assistant: 'teal', admin: 'grape' };

function isActive(pathname: string, item: NavItem): boolean {
  if (item.end) return pathname === item.to;
  if (pathname === item.to) return true;
  // "/client/tasks/new" belongs to "New task", not to "Tasks".
  return pathname.startsWith(`${item.to}/`) && !NAV.client.some((n) => n.end && n.to === pathname);
}

export function AppLayout({ children }: { children: ReactNode }) {
  const user = useUser();
  const { signOut } = useAuth();
  const { pathname } = useLocation();
  const [opened, { toggle, close }] = useDisclosure(false);

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 232, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding={{ base: 'md', sm: 'xl' }}
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <UnstyledButton component={Link} to="/" aria-label="Handoff home">
              <Title order={2} size="h3" c="blue.8">
                Handoff
              </Title>
            </UnstyledButton>
            <ReconnectingIndicator />
          </Group>
          <Group gap="sm" wrap="nowrap">
            {user.role === 'assistant' && <AvailabilitySwitch user={user} />}
            <NotificationBell />
            <Group gap={8} wrap="nowrap" visibleFrom="xs">
              <Text fw={500} size="sm" data-testid="user-name" truncate maw={200}>
                {user.name}
              </Text>
              <Badge color={ROLE_COLORS[user.role]} variant="light" data-testid="user-role">
                {ROLE_LABELS[user.role]}
              </Badge>
            </Group>
            <Button variant="subtle" color="gray" size="compact-sm" leftSection={<IconLogout size={16} aria-hidden />} onClick={() => signOut()} visibleFrom="sm">
              Sign out
            </Button>
            {/* Narrow screens keep the action but drop the words; display:none removes the other one from the accessibility tree. */}
            <ActionIcon variant="subtle" color="gray" size="lg" aria-label="Sign out" onClick={() => signOut()} hiddenFrom="sm">
              <IconLogout size={18} aria-hidden />
            </ActionIcon>
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="sm" aria-label="Main navigation">
        {[...NAV[user.role], ...ACCOUNT_NAV].map((item) => (
          <NavLink
            key={item.to}
            component={Link}
            to={item.to}
            label={item.label}
            leftSection={<item.icon size={18} stroke={1.6} aria-hidden />}
            active={isActive(pathname, item)}
            aria-current={isActive(pathname, item) ? 'page' : undefined}
            onClick={close}
            style={{ borderRadius: 'var(--mantine-radius-md)' }}
          />
        ))}
        {user.organizationName && (
          <Text size="xs" c="dimmed" mt="auto" px="sm">
            {user.organizationName}
          </Text>
        )}
      </AppShell.Navbar>

      <AppShell.Main>
        <div style={{ maxWidth: 1200, margin: '0 auto' }}>
          <VerifyEmailBanner />
          <Suspense fallback={<Loading />}>
            {children}
          </Suspense>
        </div>
      </AppShell.Main>
    </AppShell>
  );
}
