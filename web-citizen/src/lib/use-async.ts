import { type DependencyList, useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from './api.ts';

export interface AsyncState<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload(): void;
  setData(v: T): void;
}

/** Loads on mount and when `deps` change; errors become codes for `ErrorBox`. */
export function useAsync<T>(fn: (signal: AbortSignal) => Promise<T>, deps: DependencyList): AsyncState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [n, setN] = useState(0);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  useEffect(() => {
    const ac = new AbortController();
    setLoading(true);
    setError(null);
    fnRef.current(ac.signal).then(
      (v) => {
        if (ac.signal.aborted) return;
        setData(v);
        setLoading(false);
      },
      (err: unknown) => {
        if (ac.signal.aborted) return;
        setError(err instanceof ApiError ? err.code : 'UNKNOWN');
        setLoading(false);
      },
    );
    return () => ac.abort();
  }, [...deps, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { data, error, loading, reload, setData };
}
