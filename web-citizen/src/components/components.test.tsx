// @vitest-environment happy-dom
import { act, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Lang, SettingsContext, translator } from '../i18n/index.tsx';
import { HomeScreen } from '../screens/home.tsx';
import { KioskIdle } from '../screens/kiosk-idle.tsx';
import { TicketScreen } from '../screens/ticket.tsx';
import { Field } from './ui.tsx';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root | null = null;
let host: HTMLElement | null = null;

function render(node: ReactNode, opts: { lang?: Lang; elderly?: boolean; kiosk?: boolean } = {}) {
  host = document.createElement('div');
  document.body.appendChild(host);
  root = createRoot(host);
  const lang = opts.lang ?? 'zh';
  act(() => {
    root!.render(
      <SettingsContext.Provider value={{ lang, elderly: opts.elderly ?? false, kiosk: opts.kiosk ?? false, t: translator(lang), setLang: () => undefined, setElderly: () => undefined }}>
        {node}
      </SettingsContext.Provider>,
    );
  });
  return host;
}

afterEach(() => {
  act(() => root?.unmount());
  host?.remove();
  root = null;
  host = null;
});

const buttons = (el: HTMLElement) => [...el.querySelectorAll('button')].map((b) => b.textContent?.trim() ?? '');

describe('home screen', () => {
  it('offers the main choices, fewer in elderly mode, and check-in instead of "my number" on a kiosk', () => {
    const normal = buttons(render(<HomeScreen kioskSite={null} />));
    expect(normal.some((b) => b.startsWith('取号排队'))).toBe(true);
    expect(normal.some((b) => b.startsWith('找办事地点'))).toBe(true);
    act(() => root!.unmount());

    const elderly = buttons(render(<HomeScreen kioskSite={null} />, { elderly: true }));
    expect(elderly.length).toBeLessThan(normal.length);
    expect(elderly.some((b) => b.startsWith('找办事地点'))).toBe(false);
    // Hints go too: only the plain labels remain.
    expect(elderly.find((b) => b.startsWith('取号排队'))).toBe('取号排队');
    act(() => root!.unmount());

    const kiosk = buttons(render(<HomeScreen kioskSite={null} />, { kiosk: true }));
    expect(kiosk.some((b) => b.includes('签到'))).toBe(true);
    expect(kiosk.some((b) => b.startsWith('我的号和预约'))).toBe(false);
  });

  it('speaks English when asked', () => {
    const el = render(<HomeScreen kioskSite={null} />, { lang: 'en' });
    expect(el.querySelector('h1')?.textContent).toBe('Hello, what do you need to do?');
  });
});

describe('form field', () => {
  it('ties the error message to its input for screen readers', () => {
    const el = render(
      <Field id="f-phone" label="手机号" error="手机号不正确">
        <input id="f-phone" aria-describedby="f-phone-error" aria-invalid />
      </Field>,
    );
    const input = el.querySelector('input')!;
    expect(el.querySelector('label')?.getAttribute('for')).toBe('f-phone');
    const msg = el.querySelector(`#${input.getAttribute('aria-describedby')}`);
    expect(msg?.textContent).toBe('手机号不正确');
    expect(msg?.getAttribute('role')).toBe('alert');
  });
});

describe('ticket screen', () => {
  it('without the ticket pass on this device, says the number was not found instead of asking the server', () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const el = render(<TicketScreen ticketId="00000000-0000-4000-8000-000000000000" />);
    expect(el.textContent).toContain('找不到这个号');
    expect(fetchSpy).not.toHaveBeenCalled();
    fetchSpy.mockRestore();
  });
});

describe('kiosk idle reset', () => {
  it('warns with a countdown, then resets; a touch in between keeps the session', async () => {
    // Rationale: idle=6 gives a 2 s countdown, too wide for a late timer on a loaded machine to skip it.
    window.history.replaceState(null, '', '/?kiosk=1&idle=6');
    const resetAt: number[] = [];
    const onReset = vi.fn(() => void resetAt.push(Date.now()));
    render(<KioskIdle onReset={onReset} path="/ticket/x" />, { kiosk: true });
    const dialog = () => document.querySelector('[role="alertdialog"]');
    expect(dialog()).toBeNull();
    // Every text the countdown showed, however briefly.
    const shown: string[] = [];
    const observer = new MutationObserver(() => {
      const text = dialog()?.textContent;
      if (text) shown.push(text);
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    const sleep = (ms: number) => act(() => new Promise<void>((r) => setTimeout(r, ms)));
    // A touch within the delay keeps the session going: the reset comes a whole delay after the touch, not
    // after the first render. (Checked as a lower bound, which a slow machine cannot break.)
    await sleep(1500);
    const touchedAt = Date.now();
    act(() => void window.dispatchEvent(new Event('pointerdown')));
    for (const deadline = Date.now() + 30_000; resetAt.length === 0; await sleep(50)) {
      if (Date.now() > deadline) throw new Error('the kiosk never reset');
    }
    observer.disconnect();
    expect(resetAt[0]! - touchedAt).toBeGreaterThanOrEqual(6_000);
    // Left alone, it warned with a countdown before the reset came, and reset once.
    expect(shown.some((text) => /\d+ 秒后回到首页/.test(text))).toBe(true);
    expect(onReset).toHaveBeenCalledTimes(1);
  }, 60_000);
});
