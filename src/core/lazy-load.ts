/** A value loaded at its first use (a dynamic import and what is built from it). */
export interface LazyLoad<T> {
  /** the value: loads it at the first call, shares that load with every call while it runs, and loads again after one failed */
  get(): Promise<T>;
  /** the load started and not failed (in flight or done), without starting one: what a `close` reads */
  started(): Promise<T> | undefined;
}

/**
 * Memoises `load`'s promise but forgets it when it rejects. Keeping a rejected import for good
 * (`x ??= import(...)`) turned one failure (EMFILE under load) into a failure of every later
 * request until the process restarted.
 */
export function lazyLoad<T>(load: () => Promise<T>): LazyLoad<T> {
  let loading: Promise<T> | undefined;
  return {
    get() {
      if (loading) return loading;
      const mine: Promise<T> = (async () => load())().catch((err: unknown) => {
        if (loading === mine) loading = undefined;
        throw err;
      });
      loading = mine;
      return mine;
    },
    started: () => loading,
  };
}
