import { log } from "../log.ts";

type Step = { name: string; run: () => Promise<unknown> | unknown };

/**
 * Runs shutdown steps in order on the first SIGINT, SIGTERM or SIGHUP (a second one forces
 * the exit). SIGHUP is a closed terminal: left to Node's default, the process died at once
 * and `npm start`'s embedded PostgreSQL ran on without it. Steps are registered in start-up order and run as given: stop accepting,
 * drain, then close what the earlier steps still used.
 */
export function onShutdown(steps: Step[]): void {
  let stopping = false;
  const handler = async (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, "shutting down");
    let code = 0;
    for (const step of steps) {
      try {
        await step.run();
      } catch (error) {
        code = 1;
        log.error({ err: error, step: step.name }, "shutdown step failed");
      }
    }
    log.info("stopped");
    process.exit(code);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  process.on("SIGHUP", handler);
}
