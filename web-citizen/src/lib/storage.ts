/**
 * Where the app keeps things between visits. On a phone: localStorage (the ticket's access token must
 * survive a reload). On a kiosk: memory only, wiped at every reset, so nothing personal stays on the device.
 */
export interface KeyValueStore {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
  clear(): void;
}

const PREFIX = 'yc.';

export function memoryStore(): KeyValueStore {
  const m = new Map<string, string>();
  return {
    get: (k) => m.get(k) ?? null,
    set: (k, v) => void m.set(k, v),
    remove: (k) => void m.delete(k),
    clear: () => m.clear(),
  };
}

export function browserStore(): KeyValueStore {
  // Private browsing and some WebViews throw on localStorage: fall back to memory rather than fail.
  try {
    const ls = window.localStorage;
    ls.setItem(`${PREFIX}probe`, '1');
    ls.removeItem(`${PREFIX}probe`);
    return {
      get: (k) => ls.getItem(PREFIX + k),
      set: (k, v) => ls.setItem(PREFIX + k, v),
      remove: (k) => ls.removeItem(PREFIX + k),
      clear: () => {
        for (const k of Object.keys(ls)) if (k.startsWith(PREFIX)) ls.removeItem(k);
      },
    };
  } catch {
    return memoryStore();
  }
}

export function readJson<T>(store: KeyValueStore, key: string, fallback: T): T {
  const raw = store.get(key);
  if (!raw) return fallback;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return fallback;
  }
}

export function writeJson(store: KeyValueStore, key: string, value: unknown): void {
  store.set(key, JSON.stringify(value));
}
