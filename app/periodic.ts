/**
 * Runs `work` now and then every `intervalMs`, never two runs at once (a tick that finds
 * one under way is skipped). A run that throws is handed to `onError`, and the next tick
 * tries again. `stop()` resolves once the run under way, if any, has finished.
 */
export function startPeriodic(intervalMs: number, work: () => Promise<void>, onError: (error: unknown) => void) {
  let running: Promise<void> | undefined;
  const tick = () => {
    running ??= work()
      .catch(onError)
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return {
    /** Runs now, unless a run is under way (then that run is enough). */
    runNow: tick,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
