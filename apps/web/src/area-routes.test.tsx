import { screen } from '@testing-library/react';
import type { ComponentType } from 'react';
import { Route, Routes, useLocation } from 'react-router';
import { describe, expect, it } from 'vitest';
import AdminArea from './admin/admin-area';
import AssistantArea from './assistant/assistant-area';
import ClientArea from './client/client-area';
import { renderWithProviders } from './test/render';

let seen = new Set<string>();

/** Shows where the router is; a redirect loop (the old catch-all) fails here instead of hanging the run. */
function Where() {
  const { pathname } = useLocation();
  seen.add(pathname);
  if (seen.size > 20) throw new Error(`redirect loop: ${[...seen].slice(0, 3).join(' → ')} → …`);
  return <output data-testid="where">{pathname}</output>;
}

const AREAS: [string, string, ComponentType][] = [
  ['/admin/nope', 'admin', AdminArea],
  ['/client/typo', 'client', ClientArea],
  ['/assistant/boards', 'assistant', AssistantArea],
  ['/admin/tasks/1/more', 'admin', AdminArea],
];

describe('a mistyped address inside a signed-in area', () => {
  it.each(AREAS)('%s says "Page not found" with a way home, and stays put', async (path, area, Area) => {
    seen = new Set();
    renderWithProviders(
      <>
        <Routes>
          <Route path={`/${area}/*`} element={<Area />} />
        </Routes>
        <Where />
      </>,
      { route: path },
    );
    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Go to your dashboard' }).getAttribute('href')).toBe('/');
    expect(screen.getByTestId('where').textContent).toBe(path);
  });
});
