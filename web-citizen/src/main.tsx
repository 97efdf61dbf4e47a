import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { initStore } from './lib/held.ts';
import './styles.css';

const params = new URLSearchParams(window.location.search);
const kiosk = params.get('kiosk') === '1';
initStore(kiosk);
const root = document.getElementById('root');
if (root) createRoot(root).render(<App kiosk={kiosk} kioskSite={params.get('site')} />);
