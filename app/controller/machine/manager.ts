import { Gauge, type Registry } from "prom-client";
import { Controller, type ControllerSpec } from "./controller.ts";
import type { KubeClient } from "./kube-client.ts";
import type { KubeObject } from "./kube-object.ts";
import { LeaderElector, type LeaderElectionConfig } from "./leader-election.ts";

export type ManagerOptions = {
  kube: KubeClient;
  namespace: string;
  /** A label selector: the objects of this release. Empty: every object in the namespace. */
  labelSelector?: string;
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
  const { kube, namespace, identity, registry } = options;
  const leaderGauge = new Gauge({ name: "failsight_controller_leader", help: "1 while this replica holds the controller's Lease.", registers: [registry] });
  const elector = new LeaderElector(kube, { ...options.lease, namespace, identity });
  const controllers = specs.map((spec) => new Controller<KubeObject>(kube, namespace, options.labelSelector, identity, () => elector.isLeader(), spec));
  const listed = Promise.all(controllers.map((c) => c.run())).then(() => undefined);
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
    /** Resolves once every kind's first list has been read. */
    listed,
    isLeader: () => elector.isLeader(),
    /**
     * Ready while every list/watch is connected and this replica knows who leads (itself,
     * or another with a live lease). A standby is ready too: leadership moves to it without
     * a restart, and a Deployment whose standby is never Ready never finishes rolling out.
     */
    readiness(): Readiness {
      const watching = controllers.every((c) => c.ready());
      const leaderKnown = elector.knowsLeader();
      return { ready: watching && leaderKnown, watching, leaderKnown, leader: elector.isLeader() };
    },
    async stop() {
      await Promise.all(controllers.map((c) => c.stop()));
      await elector.stop();
      leaderGauge.set(0);
    },
  };
}

export type Readiness = { ready: boolean; watching: boolean; leaderKnown: boolean; leader: boolean };

export type Manager = ReturnType<typeof startManager>;
