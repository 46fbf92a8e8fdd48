import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, resolve } from "node:path";
import { parse } from "yaml";
import type { KubeCredentials } from "./kube-client.ts";

// Finding the API server the way client-go does: inside a pod from the ServiceAccount's
// mounted token and CA, elsewhere from KUBECONFIG (or ~/.kube/config).

const SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";

/** A kubeconfig whose user needs something this loader does not do (an exec or auth-provider plugin). */
export class UnsupportedKubeconfig extends Error {}

export type KubeTarget = { credentials: KubeCredentials; /** The namespace the context or pod names, if any. */ namespace: string | undefined };

export function loadKubeTarget(env: NodeJS.ProcessEnv = process.env): KubeTarget {
  const host = env.KUBERNETES_SERVICE_HOST;
  if (host && existsSync(`${SERVICE_ACCOUNT}/token`)) {
    const tokenFile = `${SERVICE_ACCOUNT}/token`;
    return {
      credentials: {
        server: `https://${host.includes(":") ? `[${host}]` : host}:${env.KUBERNETES_SERVICE_PORT ?? "443"}`,
        ca: readFileSync(`${SERVICE_ACCOUNT}/ca.crt`),
        authorization: rereadToken(tokenFile),
      },
      namespace: readFileSync(`${SERVICE_ACCOUNT}/namespace`, "utf8").trim(),
    };
  }
  const file = (env.KUBECONFIG ?? "").split(":").find(Boolean) ?? `${homedir()}/.kube/config`;
  return loadKubeconfigFile(file);
}

type Named<T> = { name: string } & T;
type KubeconfigFile = {
  "current-context"?: string;
  contexts?: Named<{ context: { cluster: string; user: string; namespace?: string } }>[];
  clusters?: Named<{ cluster: { server: string; "certificate-authority"?: string; "certificate-authority-data"?: string; "insecure-skip-tls-verify"?: boolean } }>[];
  users?: Named<{ user: Record<string, unknown> }>[];
};

/** The current context of a kubeconfig file: server, CA, and a token or client certificate. */
export function loadKubeconfigFile(file: string): KubeTarget {
  const config = parse(readFileSync(file, "utf8")) as KubeconfigFile;
  const base = dirname(file);
  const contextName = config["current-context"];
  const context = config.contexts?.find((c) => c.name === contextName)?.context;
  if (!context) throw new Error(`${file}: no current context`);
  const cluster = config.clusters?.find((c) => c.name === context.cluster)?.cluster;
  if (!cluster) throw new Error(`${file}: no cluster ${context.cluster}`);
  const user = (config.users?.find((u) => u.name === context.user)?.user ?? {}) as Record<string, string | undefined>;
  if (user.exec || user["auth-provider"]) throw new UnsupportedKubeconfig(`${file}: user ${context.user} authenticates with an ${user.exec ? "exec" : "auth-provider"} plugin`);
  const dataOrFile = (data: string | undefined, path: string | undefined) => (data ? Buffer.from(data, "base64") : path ? readFileSync(resolve(base, path)) : undefined);
  const token = user.token;
  const tokenFile = user.tokenFile;
  const ca = dataOrFile(cluster["certificate-authority-data"], cluster["certificate-authority"]);
  const cert = dataOrFile(user["client-certificate-data"], user["client-certificate"]);
  const key = dataOrFile(user["client-key-data"], user["client-key"]);
  return {
    credentials: {
      server: cluster.server.replace(/\/+$/, ""),
      ...(ca ? { ca } : {}),
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
      ...(cluster["insecure-skip-tls-verify"] ? { insecureSkipTlsVerify: true } : {}),
      ...(token ? { authorization: () => `Bearer ${token}` } : tokenFile ? { authorization: rereadToken(resolve(base, tokenFile)) } : {}),
    },
    namespace: context.namespace,
  };
}

/** A bound ServiceAccount token is replaced on disk about hourly; read it again once a minute. */
function rereadToken(file: string): () => string {
  let token = "";
  let readAt = 0;
  return () => {
    if (Date.now() - readAt > 60_000) {
      token = readFileSync(file, "utf8").trim();
      readAt = Date.now();
    }
    return `Bearer ${token}`;
  };
}
