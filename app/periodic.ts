/**
 * Runs `work` now and then every `intervalMs`, never two runs at once (a tick that finds
 * one under way is skipped). `runNow` asks for a run: at once, or, when one is under way,
 * once more as soon as it ends, since that run may have read before whatever prompted the
 * ask (a check's changed outcome the status tracker must record; several asks meanwhile
 * make one run). A run that throws is handed to `onError`, and the next tick tries again.
 * `stop()` resolves once the run under way, if any, has finished; nothing runs after it.
 */
export function startPeriodic(intervalMs: number, work: () => Promise<void>, onError: (error: unknown) => void) {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  const run = () => {
    running = work()
      .catch(onError)
      .finally(() => {
        running = undefined;
        if (again && !stopped) {
          again = false;
          run();
        }
      });
  };
  const tick = () => {
    if (!running) run();
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return {
    /** Runs now, or right after the run under way. */
    runNow() {
      if (stopped) return;
      if (running) again = true;
      else run();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
