import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP relay on 127.0.0.1:`port` to `target`, which can be opened late, cut (every
 * connection dropped, new ones refused) and opened again on the same port: what a client
 * sees of a server that is not up yet, or goes away and comes back, while the real server
 * behind it keeps serving everyone else.
 */
export function tcpRelay(target: { host: string; port: number }, port: number) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  return {
    port,
    open: () =>
      new Promise<void>((resolve) => {
        server = createServer((client) => {
          const upstream = connect(target.port, target.host);
          for (const s of [client, upstream]) {
            sockets.add(s);
            s.on("close", () => sockets.delete(s));
            s.on("error", () => {});
          }
          client.pipe(upstream).pipe(client);
          client.on("close", () => upstream.destroy());
          upstream.on("close", () => client.destroy());
        });
        server.listen(port, "127.0.0.1", () => resolve());
      }),
    cut: () =>
      new Promise<void>((resolve) => {
        if (!server) return resolve();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server = undefined;
      }),
  };
}
