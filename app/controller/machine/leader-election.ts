import { log } from "../../log.ts";
import { statusOf, type KubeClient } from "./kube-client.ts";

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

type LeaseSpec = { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
type Lease = { apiVersion?: string; kind?: string; metadata: { name: string; namespace: string; resourceVersion?: string }; spec?: LeaseSpec };

/** A Lease's MicroTime: RFC 3339 with six fractional digits. */
const microTime = (ms = Date.now()) => new Date(ms).toISOString().replace("Z", "000Z");

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
  private readonly client: KubeClient;
  private readonly config: LeaderElectionConfig;
  private observedRecord = "";
  private observedAt = 0;
  private lastRenewedAt = 0;
  private leading = false;
  /** When the Lease was last read, and whether it then named a holder whose term had not run out. */
  private lastReadAt = 0;
  private heldByAnother = false;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(client: KubeClient, config: LeaderElectionConfig) {
    if (config.renewDeadlineMs >= config.leaseDurationMs) throw new Error("renewDeadline must be shorter than leaseDuration");
    this.client = client;
    this.config = config;
  }

  isLeader(): boolean {
    return this.leading;
  }

  /**
   * Whether this replica knows who leads: itself, or another whose lease it read within
   * one lease duration and that had not run out. False while the API server cannot be
   * reached, or while nobody holds the lease.
   */
  knowsLeader(): boolean {
    if (this.leading) return true;
    return this.heldByAnother && Date.now() - this.lastReadAt < this.config.leaseDurationMs;
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

  private path(name?: string): string {
    const base = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.config.namespace)}/leases`;
    return name ? `${base}/${encodeURIComponent(name)}` : base;
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity, leaseDurationMs } = this.config;
    const now = microTime();
    let lease: Lease;
    try {
      lease = await this.client.get<Lease>(this.path(name));
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
      this.lastReadAt = Date.now();
      this.heldByAnother = false;
      const spec = { holderIdentity: identity, leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000), acquireTime: now, renewTime: now, leaseTransitions: 0 };
      try {
        await this.client.post(this.path(), { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name, namespace }, spec });
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
    this.lastReadAt = Date.now();
    const mine = spec.holderIdentity === identity;
    const durationMs = (spec.leaseDurationSeconds ?? Math.ceil(leaseDurationMs / 1000)) * 1000;
    this.heldByAnother = !mine && Boolean(spec.holderIdentity) && this.observedAt + durationMs > Date.now();
    if (this.heldByAnother) return false;

    lease.spec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
      renewTime: now,
      acquireTime: mine && spec.acquireTime ? spec.acquireTime : now,
      leaseTransitions: mine ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
    };
    try {
      await this.client.put(this.path(name), lease);
      if (!mine) log.info({ identity, previous: spec.holderIdentity || "(released)" }, "took over the lease");
      return true;
    } catch (error) {
      if (statusOf(error) === 409) return false; // someone updated it since we read it
      throw error;
    }
  }

  private async release(): Promise<void> {
    const { name, identity } = this.config;
    const lease = await this.client.get<Lease>(this.path(name));
    if (lease.spec?.holderIdentity !== identity) return;
    lease.spec = { ...lease.spec, holderIdentity: "", leaseDurationSeconds: 1, renewTime: microTime() };
    await this.client.put(this.path(name), lease);
    log.info({ identity }, "released the lease");
  }
}
