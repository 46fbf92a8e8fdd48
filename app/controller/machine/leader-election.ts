import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from "@kubernetes/client-node";
import { log } from "../../log.ts";
import { statusOf } from "./kube-errors.ts";

export type LeaderElectionConfig = {
  namespace: string;
  name: string;
  /** This replica; the pod name in a cluster. */
  identity: string;
  leaseDurationMs: number;
  /** A leader that has not renewed for this long stops acting; must be below leaseDurationMs. */
  renewDeadlineMs: number;
  retryPeriodMs: number;
};

/**
 * Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics:
 * - a lease held by another is expired only when its record (holder, renewTime) has not
 *   changed for leaseDuration *as observed here*, so clock skew between nodes is harmless;
 * - taking over or renewing is an update carrying the resourceVersion just read, so when
 *   two candidates race the API server lets exactly one win (the other gets 409);
 * - a takeover sets acquireTime and bumps leaseTransitions; a clean stop releases the
 *   lease so another replica takes over at once instead of waiting out the duration.
 */
export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private readonly config: LeaderElectionConfig;
  private observedRecord = "";
  private observedAt = 0;
  private lastRenewedAt = 0;
  private leading = false;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(kc: KubeConfig, config: LeaderElectionConfig) {
    if (config.renewDeadlineMs >= config.leaseDurationMs) throw new Error("renewDeadline must be shorter than leaseDuration");
    this.api = kc.makeApiClient(CoordinationV1Api);
    this.config = config;
  }

  isLeader(): boolean {
    return this.leading;
  }

  start(onStartedLeading: () => void, onStoppedLeading: () => void): void {
    this.loop = (async () => {
      while (!this.stopped) {
        let renewed = false;
        try {
          renewed = await this.tryAcquireOrRenew();
        } catch (error) {
          log.warn({ err: error, lease: this.config.name }, "leader election: lease update failed");
        }
        const now = Date.now();
        if (renewed) {
          this.lastRenewedAt = now;
          if (!this.leading) {
            this.leading = true;
            log.info({ identity: this.config.identity, lease: this.config.name }, "became leader");
            onStartedLeading();
          }
        } else if (this.leading && now - this.lastRenewedAt > this.config.renewDeadlineMs) {
          this.leading = false;
          log.warn({ identity: this.config.identity }, "lost leadership: could not renew the lease in time");
          onStoppedLeading();
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, this.config.retryPeriodMs);
        });
      }
    })();
  }

  /** Stops campaigning and, if leading, releases the lease. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    if (this.leading) {
      this.leading = false;
      await this.release().catch((error) => log.warn({ err: error }, "could not release the lease"));
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity, leaseDurationMs } = this.config;
    const now = new V1MicroTime();
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
      const spec = { holderIdentity: identity, leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000), acquireTime: now, renewTime: now, leaseTransitions: 0 };
      try {
        await this.api.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec } });
        return true;
      } catch (createError) {
        if (statusOf(createError) === 409) return false; // another candidate created it first
        throw createError;
      }
    }

    const spec = lease.spec ?? {};
    const record = `${spec.holderIdentity ?? ""}|${spec.renewTime ? new Date(spec.renewTime).getTime() : ""}`;
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedAt = Date.now();
    }
    const mine = spec.holderIdentity === identity;
    const durationMs = (spec.leaseDurationSeconds ?? Math.ceil(leaseDurationMs / 1000)) * 1000;
    if (!mine && spec.holderIdentity && this.observedAt + durationMs > Date.now()) return false;

    lease.spec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
      renewTime: now,
      acquireTime: mine && spec.acquireTime ? new V1MicroTime(spec.acquireTime) : now,
      leaseTransitions: mine ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
    };
    try {
      await this.api.replaceNamespacedLease({ name, namespace, body: lease });
      if (!mine) log.info({ identity, previous: spec.holderIdentity || "(released)" }, "took over the lease");
      return true;
    } catch (error) {
      if (statusOf(error) === 409) return false; // someone updated it since we read it
      throw error;
    }
  }

  private async release(): Promise<void> {
    const { namespace, name, identity } = this.config;
    const lease = await this.api.readNamespacedLease({ name, namespace });
    if (lease.spec?.holderIdentity !== identity) return;
    lease.spec = { ...lease.spec, holderIdentity: "", leaseDurationSeconds: 1, renewTime: new V1MicroTime(), acquireTime: lease.spec.acquireTime ? new V1MicroTime(lease.spec.acquireTime) : undefined };
    await this.api.replaceNamespacedLease({ name, namespace, body: lease });
    log.info({ identity }, "released the lease");
  }
}
