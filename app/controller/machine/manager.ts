import type { KubeConfig } from "@kubernetes/client-node";
import { Gauge, type Registry } from "prom-client";
import { Controller, type ControllerSpec } from "./controller.ts";
import type { KubeObject } from "./kube-object.ts";
import { LeaderElector, type LeaderElectionConfig } from "./leader-election.ts";

export type ManagerOptions = {
  kc: KubeConfig;
  namespace: string;
  /** This replica; the pod name in a cluster. */
  identity: string;
  lease: Omit<LeaderElectionConfig, "namespace" | "identity">;
  registry: Registry;
};

/**
 * controller-runtime's Manager, in the small: one Lease for the process, and the
 * controllers of every kind it runs, which act only while it is held. A new CRD is one
 * more ControllerSpec here.
 */
// Each spec has its own object type; the machine handles them all as KubeObjects.
export function startManager(options: ManagerOptions, specs: readonly ControllerSpec<any>[]) {
  const { kc, namespace, identity, registry } = options;
  const leaderGauge = new Gauge({ name: "failsight_controller_leader", help: "1 while this replica holds the controller's Lease.", registers: [registry] });
  const elector = new LeaderElector(kc, { ...options.lease, namespace, identity });
  const controllers = specs.map((spec) => new Controller<KubeObject>(kc, namespace, identity, () => elector.isLeader(), spec));
  const ready = Promise.all(controllers.map((c) => c.run())).then(() => undefined);
  elector.start(
    () => {
      leaderGauge.set(1);
      for (const c of controllers) c.startedLeading();
    },
    () => {
      leaderGauge.set(0);
      for (const c of controllers) c.stoppedLeading();
    },
  );
  return {
    ready,
    isLeader: () => elector.isLeader(),
    /** Healthy while every watch is connected. */
    healthy: () => controllers.every((c) => c.healthy()),
    async stop() {
      await Promise.all(controllers.map((c) => c.stop()));
      await elector.stop();
      leaderGauge.set(0);
    },
  };
}

export type Manager = ReturnType<typeof startManager>;
