/** Clerk console (窗口): pick and open a window of one's sites, then work the shift at it. */
import { useState } from 'react';
import type { Session } from '../../lib/session.ts';
import { WindowConsole } from './WindowConsole.tsx';
import { WindowPicker, type OpenedWindow } from './WindowPicker.tsx';

const KEY = 'yc.clerk.window';

function restore(userId: string): OpenedWindow | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    const w = raw ? (JSON.parse(raw) as OpenedWindow & { userId: string }) : null;
    return w && w.userId === userId ? w : null;
  } catch {
    return null;
  }
}

export default function ClerkConsole({ session }: { session: Session }) {
  const [opened, setOpened] = useState<OpenedWindow | null>(() => restore(session.user.id));

  const choose = (w: OpenedWindow | null) => {
    try {
      if (w) sessionStorage.setItem(KEY, JSON.stringify({ ...w, userId: session.user.id }));
      else sessionStorage.removeItem(KEY);
    } catch {
      // the choice then lasts for this page only
    }
    setOpened(w);
  };

  return opened ? <WindowConsole session={session} opened={opened} onClosed={() => choose(null)} /> : <WindowPicker session={session} onOpened={choose} />;
}
