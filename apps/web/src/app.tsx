import type { Role } from '@handoff/contracts';
import { lazy, type ReactNode } from 'react';
import { Route, Routes } from 'react-router';
import { useAuth, useUser } from './auth/auth-context';
import { ForgotPasswordPage, ResetPasswordPage, VerifyEmailPage } from './auth/account-email-pages';
import { PublicOnly, RequireRole, RoleHome } from './auth/guards';
import { RegisterPage } from './auth/register-page';
import { SignInPage } from './auth/sign-in-page';
import { SecurityPage } from './auth/two-factor/security-page';
import { NotificationsPage } from './inbox/notifications-page';
import { TwoFactorGate } from './auth/two-factor/two-factor-gate';
import { NotFound } from './components/not-found';
import { AppLayout } from './layout/app-layout';
import { LiveProvider } from './live/live-provider';
import type { SocketFactory } from './live/socket';

// Each role's pages are their own chunk: a client never downloads the admin screens.
const ClientArea = lazy(() => import('./client/client-area'));
const AssistantArea = lazy(() => import('./assistant/assistant-area'));
const AdminArea = lazy(() => import('./admin/admin-area'));

function Session({ children, createSocket }: { children: ReactNode; createSocket?: SocketFactory }) {
  const user = useUser();
  return (
    <LiveProvider key={user.id} user={user} createSocket={createSocket}>
      <AppLayout>{children}</AppLayout>
    </LiveProvider>
  );
}

function RoleArea({ role, children, createSocket }: { role: Role; children: ReactNode; createSocket?: SocketFactory }) {
  return (
    <RequireRole role={role}>
      <TwoFactorGate>
        <Session createSocket={createSocket}>{children}</Session>
      </TwoFactorGate>
    </RequireRole>
  );
}

/** Pages of every role (account security): whoever is signed in. */
function AccountArea({ children, createSocket }: { children: ReactNode; createSocket?: SocketFactory }) {
  const { user } = useAuth();
  return (
    <RoleArea role={user?.role ?? 'client'} createSocket={createSocket}>
      {children}
    </RoleArea>
  );
}

export function App({ createSocket }: { createSocket?: SocketFactory }) {
  return (
    <Routes>
      <Route path="/" element={<RoleHome />} />
      <Route
        path="/sign-in"
        element={
          <PublicOnly>
            <SignInPage />
          </PublicOnly>
        }
      />
      <Route
        path="/forgot-password"
        element={
          <PublicOnly>
            <ForgotPasswordPage />
          </PublicOnly>
        }
      />
      <Route path="/reset-password" element={<ResetPasswordPage />} />
      <Route path="/verify-email" element={<VerifyEmailPage />} />
      <Route
        path="/register"
        element={
          <PublicOnly>
            <RegisterPage />
          </PublicOnly>
        }
      />
      <Route
        path="/client/*"
        element={
          <RoleArea role="client" createSocket={createSocket}>
            <ClientArea />
          </RoleArea>
        }
      />
      <Route
        path="/assistant/*"
        element={
          <RoleArea role="assistant" createSocket={createSocket}>
            <AssistantArea />
          </RoleArea>
        }
      />
      <Route
        path="/admin/*"
        element={
          <RoleArea role="admin" createSocket={createSocket}>
            <AdminArea />
          </RoleArea>
        }
      />
      <Route
        path="/notifications"
        element={
          <AccountArea createSocket={createSocket}>
            <NotificationsPage />
          </AccountArea>
        }
      />
      <Route
        path="/security"
        element={
          <AccountArea createSocket={createSocket}>
            <SecurityPage />
          </AccountArea>
        }
      />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
