/**
 * One app, two faces: `/board/:siteId` is a hall display board; everything under `/counter/` is the staff
 * app (clerk, expert, supervisor by role). Each face is its own chunk, so a TV never downloads antd or echarts.
 */
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { getLang } from './lib/i18n.ts';

const BoardApp = lazy(() => import('./board/BoardApp.tsx'));
const StaffApp = lazy(() => import('./staff/StaffApp.tsx'));

const boardMatch = /^\/board\/([^/?#]+)\/?$/.exec(location.pathname);
document.documentElement.lang = getLang();

const root = document.getElementById('root');
if (!root) throw new Error('#root missing from index.html');
createRoot(root).render(
  <StrictMode>
    <Suspense fallback={null}>{boardMatch ? <BoardApp siteId={decodeURIComponent(boardMatch[1] ?? '')} /> : <StaffApp />}</Suspense>
  </StrictMode>,
);
