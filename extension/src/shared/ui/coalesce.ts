// Coalescing for page reloads that many events may ask for at once (a burst of broadcasts):
// at most one run in flight and one queued, however often it is asked for. Without it, 520
// `watch.changed` broadcasts made the options page ask for the whole watch list 520 times.

export interface Coalesced {
  /** Asks for a run. Runs after `delayMs` (gathering the other requests of that moment), or
   *  at once with `{ now: true }` when nothing is running or waiting; a request made while a
   *  run is in flight queues exactly one more run after it. Resolves when a run that started
   *  after this request has finished (a failed run counts: `run` reports its own errors). */
  (options?: { now?: boolean }): Promise<void>;
  /** true while a run is in flight. */
  readonly running: boolean;
}

export function coalesced(run: () => Promise<void>, delayMs: number): Coalesced {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running = false;
  /** Callers waiting for the next run to start and finish. */
  let waiting: (() => void)[] = [];

  const start = async (): Promise<void> => {
    if (timer !== null) { clearTimeout(timer); timer = null; }
    running = true;
    const served = waiting;
    waiting = [];
    try {
      await run();
    } catch {
      // run reports its own failures on the page; a throw must not stop the queue.
    } finally {
      running = false;
      for (const resolve of served) resolve();
      if (waiting.length) timer = setTimeout(() => void start(), delayMs);
    }
  };

  const request = ((options?: { now?: boolean }): Promise<void> =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      if (running) return; // the finally above schedules the queued run
      if (options?.now) void start();
      else if (timer === null) timer = setTimeout(() => void start(), delayMs);
    })) as Coalesced;
  Object.defineProperty(request, 'running', { get: () => running });
  return request;
}
